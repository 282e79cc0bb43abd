/** Backquoted names of the three tables of one storage. The name is a checked plain identifier. */
export interface Tables {
  documents: string;
  keys: string;
  migrations: string;
  /** The unquoted base name, for GET_LOCK and messages. */
  base: string;
}

export function tablesFor(table: string): Tables {
  return {
    base: table,
    documents: `\`${table}\``,
    keys: `\`${table}_keys\``,
    migrations: `\`${table}_migrations\``,
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
 * agree with the reference to the millisecond whatever the session time zone. The document is the
 * exact text in a binary-collated LONGTEXT: never the JSON type, which reorders keys.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "0001_documents_and_keys",
    statements: (t) => [
      `CREATE TABLE IF NOT EXISTS ${t.documents} (
         uuid CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
         created_ms BIGINT NOT NULL,
         -- 1 when the last save carried created_at: lets a multi-row upsert keep a stored created_at per row.
         has_created TINYINT NOT NULL,
         updated_ms BIGINT NOT NULL,
         document LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
         PRIMARY KEY (uuid),
         KEY ${quote(`${t.base}_created`)} (created_ms, uuid)
       ) ENGINE=InnoDB`,
      // value: CESU-8 style bytes of the (lower-cased) text, compared byte for byte (core's encodeSearchKey).
      `CREATE TABLE IF NOT EXISTS ${t.keys} (
         uuid CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
         kind CHAR(1) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
         value LONGBLOB NOT NULL,
         KEY ${quote(`${t.base}_keys_uuid`)} (uuid),
         KEY ${quote(`${t.base}_keys_value`)} (kind, value(255))
       ) ENGINE=InnoDB`,
    ],
  },
];

export const LATEST_VERSION = MIGRATIONS.at(-1)!.version;

function quote(identifier: string): string {
  return `\`${identifier}\``;
}
