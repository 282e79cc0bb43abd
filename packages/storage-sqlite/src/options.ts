import { parseOptionsSync } from "@vcon/storage-core/adapter";
import { z } from "zod";

/** The configuration name: `createStorage({ adapter: "sqlite", ... })`. */
export const NAME = "sqlite";

/** A plain identifier: the side tables append `_keys` and `_migrations`. */
export const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,51}$/;

/** Options of the `sqlite` adapter. */
export const sqliteOptions = z
  .object({
    /** The database file (created with its folders when missing), or `:memory:` for a private in-process database. */
    path: z.string().min(1).default(":memory:"),
    /** The documents table; `<table>_keys` holds search keys and `<table>_migrations` the schema version. */
    table: z
      .string()
      .regex(TABLE_NAME, "expected a plain identifier: letters, digits and _, at most 52")
      .default("vcons"),
    /** How long a write waits for another process's write lock before `UNAVAILABLE` (SQLite's busy_timeout). */
    busyTimeoutMs: z.number().int().min(0).max(600_000).default(5_000),
    /**
     * `full` (the default) syncs every commit to disk, so an acknowledged write survives a power cut;
     * `normal` syncs at checkpoints only: still safe when the process crashes, faster, but a power cut
     * can lose the last commits.
     */
    synchronous: z.enum(["full", "normal"]).default("full"),
  })
  .strict();

export type SqliteOptions = z.input<typeof sqliteOptions>;
export type ResolvedOptions = z.output<typeof sqliteOptions>;

/** Parses options, turning schema problems into a `VALIDATION` error that names each field. */
export function parseSqliteOptions(input: unknown): ResolvedOptions {
  return parseOptionsSync({ name: NAME, options: sqliteOptions }, input ?? {});
}
