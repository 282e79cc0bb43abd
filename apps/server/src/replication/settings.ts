import { z } from "zod";

/** The journal's file, relative to the working directory: next to the embedded default's data. */
export const DEFAULT_JOURNAL_FILE = "./.data/replication-journal.sqlite";

/** The service's replication settings (`replication:` in the config file). */
export const replicationSchema = z
  .object({
    /** The SQLite file holding every write not yet delivered to every replica. */
    journal: z.string().min(1).default(DEFAULT_JOURNAL_FILE),
    /**
     * Where a write's entries for the replicas are made durable before it is acknowledged.
     * `auto`: in the primary's own transaction when its adapter keeps a change log (the `changes`
     * capability: postgres), else in the journal before the primary is written. `on`: the change log
     * or refuse to start; `off`: always the journal.
     */
    changeLog: z.enum(["auto", "on", "off"]).default("auto"),
    /** First wait after a failed delivery; doubles per failure (with jitter) up to `retryMaxMs`. */
    retryInitialMs: z.coerce.number().int().min(10).default(500),
    retryMaxMs: z.coerce.number().int().min(10).default(60_000),
    /** Most journal entries one delivery round sends to a replica. */
    batchSize: z.coerce.number().int().min(1).max(10_000).default(200),
  })
  .strict()
  .refine((r) => r.retryInitialMs <= r.retryMaxMs, {
    path: ["retryInitialMs"],
    message: "must not be longer than replication.retryMaxMs",
  });

export type ReplicationSettings = z.infer<typeof replicationSchema>;

/** What role each configured storage plays. */
export interface StorageRoles {
  /** Commits every write first; answers reads, search and export. */
  primary: string;
  /** The other write storages: fed from the journal, read only when the primary is unavailable. */
  replicas: string[];
  /** `write: false`: never written by the service; a read fallback when `read` is true. */
  readOnly: string[];
}

interface RoleFlags {
  write: boolean;
  read: boolean;
  primary?: boolean | undefined;
}

/** The storage marked `primary: true`, else the first write storage in configuration order. */
export function storageRoles(storages: Record<string, RoleFlags>): StorageRoles {
  const entries = Object.entries(storages);
  const writers = entries.filter(([, s]) => s.write).map(([name]) => name);
  const marked = entries.find(([, s]) => s.primary)?.[0];
  const primary = marked ?? writers[0];
  if (primary === undefined) throw new Error("no write storage: the configuration schema requires one");
  return {
    primary,
    replicas: writers.filter((name) => name !== primary),
    readOnly: entries.filter(([, s]) => !s.write).map(([name]) => name),
  };
}

/** Problems with `primary: true` marks, as `[path, message]` pairs for the config schema. */
export function primaryIssues(storages: Record<string, RoleFlags>): [string[], string][] {
  const entries = Object.entries(storages);
  const marked = entries.filter(([, s]) => s.primary);
  const issues: [string[], string][] = [];
  for (const [name] of marked.slice(1))
    issues.push([[name, "primary"], `only one storage can be the primary (${marked[0]![0]} is)`]);
  for (const [name, s] of marked)
    if (!s.write) issues.push([[name, "primary"], "the primary must have write: true"]);
  const writers = entries.filter(([, s]) => s.write);
  const primary = marked[0] ?? writers[0];
  if (primary && !primary[1].read)
    issues.push([[primary[0], "read"], "the primary answers reads: read: false is for replicas only"]);
  return issues;
}
