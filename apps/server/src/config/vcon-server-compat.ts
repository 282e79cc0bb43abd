import type { ValidationIssue } from "@vcon/storage-core";

/**
 * A `storages:` block pasted from a vcon-server (conserver) `config.yml`: entries written as
 * `{ module: storage.postgres, options: {...} }` become `{ adapter, options }` entries with the
 * options renamed, each with a notice saying what was mapped. Entries already using `adapter:` are
 * left alone.
 */

interface ModuleMapping {
  adapter: string;
  /** vcon-server option name → this project's. Names not listed pass through unchanged. */
  renames: Record<string, string>;
  /** vcon-server's defaults for options left out, so a pasted block connects where vcon-server did. */
  defaults: Record<string, unknown>;
  /** vcon-server options with no equivalent here: dropped, and named in the notice. */
  ignored: Record<string, string>;
  /** Option rewrites beyond renames (`prefix` → `keyPrefix` with its `:`). */
  convert?: (options: Record<string, unknown>) => Record<string, unknown>;
  /** What differs from vcon-server, said in the notice. */
  note?: (given: Record<string, unknown>) => string | undefined;
}

export const VCON_SERVER_MODULES: Record<string, ModuleMapping> = {
  "storage.postgres": {
    adapter: "postgres",
    renames: { table_name: "table" },
    // The Python module's default_options.
    defaults: { host: "localhost", port: 5432, user: "postgres", database: "vcon_db" },
    ignored: {},
  },
  "storage.file": {
    adapter: "file",
    renames: { path: "directory" },
    defaults: { path: "/data/vcons" },
    ignored: {
      organize_by_date: "files are sharded by uuid",
      compression: "files are plain JSON",
      max_file_size: "core's document size limit applies",
      file_permissions: "the process umask applies",
      dir_permissions: "the process umask applies",
    },
  },
  "storage.redis_storage": {
    adapter: "redis",
    renames: { redis_url: "url", expires: "ttlSeconds", prefix: "keyPrefix" },
    defaults: { prefix: "vcon_storage" },
    ignored: {},
    // vcon-server writes `<prefix>:<uuid>`; keyPrefix is prepended as is, so it gets the `:`.
    convert: ({ keyPrefix, ...rest }) => ({ ...rest, keyPrefix: `${String(keyPrefix)}:` }),
    note: (given) =>
      given.expires === undefined
        ? "vcon-server's default expiry (7 days) is not applied: nothing expires unless `expires` is set"
        : undefined,
  },
};

export interface CompatResult {
  value: unknown;
  /** One line per translated entry, for the start log and the CLI. */
  notices: string[];
}

/** Translates vcon-server `module:` entries under `storages`; problems are pushed onto `issues`. */
export function fromVconServerModules(value: unknown, issues: ValidationIssue[]): CompatResult {
  if (!isRecord(value) || !isRecord(value.storages)) return { value, notices: [] };
  const notices: string[] = [];
  const storages: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(value.storages)) {
    storages[name] = isRecord(entry) && "module" in entry ? translate(name, entry, issues, notices) : entry;
  }
  return { value: { ...value, storages }, notices };
}

function translate(
  name: string,
  entry: Record<string, unknown>,
  issues: ValidationIssue[],
  notices: string[],
): unknown {
  const path = `storages.${name}`;
  const { module, options = {}, ...rest } = entry;
  const mapping = typeof module === "string" ? VCON_SERVER_MODULES[module] : undefined;
  if ("adapter" in rest) {
    issues.push({ path, message: "give either adapter (this project) or module (vcon-server), not both" });
    return entry;
  }
  if (!mapping) {
    issues.push({
      path: `${path}.module`,
      message: `unknown vcon-server module ${JSON.stringify(module)}; known: ${Object.keys(VCON_SERVER_MODULES).join(", ")} (or name an adapter with adapter:)`,
    });
    // A well-formed stand-in, so the schema adds no second complaint; the issue above fails the load.
    return { adapter: String(module), options: {} };
  }
  if (!isRecord(options)) {
    issues.push({ path: `${path}.options`, message: "expected a mapping of options" });
    return entry;
  }
  const given = { ...mapping.defaults, ...options };
  const dropped = Object.keys(given).filter((key) => key in mapping.ignored);
  const kept = Object.fromEntries(
    Object.entries(given)
      .filter(([key]) => !(key in mapping.ignored))
      .map(([key, option]) => [mapping.renames[key] ?? key, option]),
  );
  const translated = mapping.convert ? mapping.convert(kept) : kept;
  const renamed = Object.entries(mapping.renames)
    .filter(([from]) => from in given)
    .map(([from, to]) => `${from} → ${to}`);
  const parts = [
    `vcon-server module ${module} → adapter "${mapping.adapter}"`,
    renamed.length > 0 ? `options renamed: ${renamed.join(", ")}` : undefined,
    dropped.length > 0
      ? `ignored: ${dropped.map((key) => `${key} (${mapping.ignored[key]})`).join(", ")}`
      : undefined,
    mapping.note?.(options),
  ];
  notices.push(`${path}: ${parts.filter(Boolean).join("; ")}`);
  return { ...rest, adapter: mapping.adapter, options: translated };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
