/** Double-quoted names of the three tables of one storage. The name is a checked plain identifier. */
export interface Tables {
  documents: string;
  keys: string;
  migrations: string;
  /** The unquoted base name, for messages. */
  base: string;
}

export function tablesFor(table: string): Tables {
  return {
    base: table,
    documents: `"${table}"`,
    keys: `"${table}_keys"`,
    migrations: `"${table}_migrations"`,
  };
}

/** One schema step. Versions only grow; a released migration is never edited. */
export interface Migration {
  version: number;
  name: string;
  statements(tables: Tables): string[];
}

/**
 * created_ms is created_at in epoch milliseconds (core's createdAtMs), so order, windows and cursors
 * agree with the reference to the millisecond. The document is the exact text. Search keys are BLOBs
 * compared byte for byte (core's encodeSearchKey): never LIKE or NOCASE, which fold ASCII only.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "0001_documents_and_keys",
    statements: (t) => [
      `CREATE TABLE IF NOT EXISTS ${t.documents} (
         uuid TEXT NOT NULL PRIMARY KEY,
         created_ms INTEGER NOT NULL,
         updated_ms INTEGER NOT NULL,
         document TEXT NOT NULL
       )`,
      `CREATE INDEX IF NOT EXISTS "${t.base}_created" ON ${t.documents} (created_ms, uuid)`,
      `CREATE TABLE IF NOT EXISTS ${t.keys} (
         uuid TEXT NOT NULL,
         kind TEXT NOT NULL,
         value BLOB NOT NULL
       )`,
      `CREATE INDEX IF NOT EXISTS "${t.base}_keys_uuid" ON ${t.keys} (uuid)`,
      `CREATE INDEX IF NOT EXISTS "${t.base}_keys_value" ON ${t.keys} (kind, value)`,
    ],
  },
];

export const LATEST_VERSION = MIGRATIONS.at(-1)!.version;
