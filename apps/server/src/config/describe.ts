import { resolve } from "node:path";
import type { LoadedConfig } from "./load.js";
import type { StorageEntry } from "./schema.js";

/** One storage as the start log names it: never a password, a key or a query parameter. */
export interface StorageTarget {
  name: string;
  adapter: string;
  /** `host:port/database`, a folder, "in memory", or "custom" when the adapter is unknown. */
  target: string;
}

/** What the start log line says about the configuration: where it came from and what each storage points at. */
export async function describeConfig(
  loaded: LoadedConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ source: string; storages: StorageTarget[] }> {
  const source =
    loaded.origin === "environment"
      ? "environment (POSTGRES_* variables, no configuration file)"
      : loaded.origin === "defaults"
        ? "embedded default (no configuration file, no POSTGRES_* variables)"
        : loaded.origin === "file"
          ? `file ${loaded.source}`
          : loaded.source;
  const storages = await Promise.all(
    Object.entries(loaded.config.storages).map(async ([name, entry]) => ({
      name,
      adapter: entry.adapter,
      target: await describeTarget(entry, env),
    })),
  );
  return { source, storages };
}

/** One line: `configuration from file /etc/vcon.yaml; storages: primary=postgres db:5432/vcon, ...`. */
export function configurationLine(described: Awaited<ReturnType<typeof describeConfig>>): string {
  const storages = described.storages.map((s) => `${s.name}=${s.adapter} ${s.target}`).join(", ");
  return `configuration from ${described.source}; storages: ${storages}`;
}

export async function describeTarget(
  entry: StorageEntry,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const options = entry.options;
  if (entry.adapter === "postgres") return postgresTarget(options, env);
  const url = stringOption(options, "url") ?? stringOption(options, "connectionString");
  if (url) return urlTarget(url);
  const folder =
    stringOption(options, "directory") ??
    stringOption(options, "dataDir") ??
    stringOption(options, "path") ??
    stringOption(options, "filename") ??
    stringOption(options, "file");
  if (folder) return folder === ":memory:" ? "in memory" : resolve(folder);
  const host = stringOption(options, "host");
  if (host) {
    const port = options.port === undefined ? "" : `:${String(options.port)}`;
    const database = stringOption(options, "database");
    return `${host}${port}${database ? `/${database}` : ""}`;
  }
  return entry.adapter === "memory" ? "in memory" : "adapter defaults";
}

/** The adapter's own rules (options, URL, POSTGRES_* precedence), loaded only when a postgres storage is described. */
async function postgresTarget(options: Record<string, unknown>, env: NodeJS.ProcessEnv): Promise<string> {
  const embedded = options.embedded;
  if (embedded === true) return "embedded (PGlite) in memory";
  if (typeof embedded === "object" && embedded !== null) {
    const dataDir = (embedded as { dataDir?: string }).dataDir;
    return dataDir ? `embedded (PGlite) in ${resolve(dataDir)}` : "embedded (PGlite) in memory";
  }
  if (options.pool !== undefined || options.pglite !== undefined || options.db !== undefined)
    return "a connection given in code";
  try {
    const { parsePostgresOptions, resolveTarget } = await import("@vcon/storage-postgres");
    const target = resolveTarget(parsePostgresOptions(options), env);
    return `${target.host}:${target.port}/${target.database}`;
  } catch {
    return "invalid options";
  }
}

function urlTarget(text: string): string {
  try {
    const url = new URL(text);
    const path = url.pathname.length > 1 ? url.pathname : "";
    return `${url.protocol}//${url.host}${path}`;
  } catch {
    return "invalid url";
  }
}

function stringOption(options: Record<string, unknown>, key: string): string | undefined {
  const value = options[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}
