/**
 * The one place that knows how @vcon/storage-postgres is configured, so every test opens storages the
 * way applications do (`createStorage` by configuration name) and an option rename is a one-line fix.
 */
import {
  AdapterRegistry,
  type Logger,
  parseOptions,
  type StorageConfig,
  type VconStorage,
} from "@vcon/storage-core";

// Resolves the adapter from this package's own dependencies, whatever the working directory is.
const registry = new AdapterRegistry({ resolveFrom: new URL("..", import.meta.url).pathname });

export interface ServerOptions {
  url: string;
  poolMax?: number;
  autoMigrate?: boolean;
  /** Short timeouts make a dead server fail fast instead of hanging (milliseconds). */
  timeoutMs?: number;
  schema?: string;
  table?: string;
  ssl?: unknown;
}

export function serverOptions(options: ServerOptions): Record<string, unknown> {
  const out: Record<string, unknown> = { url: options.url };
  if (options.poolMax !== undefined) out.poolSize = options.poolMax;
  if (options.autoMigrate !== undefined) out.autoMigrate = options.autoMigrate;
  if (options.timeoutMs !== undefined) {
    out.connectionTimeoutMs = options.timeoutMs;
    out.statementTimeoutMs = options.timeoutMs;
  }
  if (options.schema !== undefined) out.schema = options.schema;
  if (options.table !== undefined) out.table = options.table;
  if (options.ssl !== undefined) out.ssl = options.ssl;
  return out;
}

/** PGlite in this process: in memory (no dataDir) or in a directory. */
export function pgliteOptions(dataDir?: string): Record<string, unknown> {
  return { embedded: dataDir === undefined ? true : { dataDir } };
}

export function openPostgres(
  options: Record<string, unknown>,
  extra: Omit<StorageConfig, "adapter" | "options"> & { logger?: Logger } = {},
): Promise<VconStorage> {
  return registry.create({ adapter: "postgres", options, ...extra });
}

/** The bare adapter (no core facade), made the way the registry makes it: to inspect what it holds. */
export async function createBareAdapter(options: Record<string, unknown>, logger: Logger) {
  const definition = await registry.resolve("postgres");
  const parsed = await parseOptions(definition, options);
  return definition.create(parsed, { name: "postgres", logger });
}
