import Database from "better-sqlite3";
import type { BenchDoc } from "../documents.js";
import type { Workload } from "../workload.js";

/**
 * The raw baseline on SQLite: better-sqlite3 prepared statements on one WAL file (synchronous FULL, as
 * the adapter's default). save = IMMEDIATE transaction of the upsert + tel rows; batch = one transaction;
 * tel search = indexed EXISTS, first 100 in (created_ms, uuid) order; export = keyset pages of 500 in one
 * read transaction.
 */
export function rawSqliteWorkload(path: string): Workload {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 5000");
  db.exec(`CREATE TABLE IF NOT EXISTS raw_vcons (uuid TEXT PRIMARY KEY, created_ms INTEGER NOT NULL, document TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS raw_created ON raw_vcons (created_ms, uuid);
    CREATE TABLE IF NOT EXISTS raw_tels (uuid TEXT NOT NULL, tel TEXT NOT NULL, PRIMARY KEY (uuid, tel));
    CREATE INDEX IF NOT EXISTS raw_tel ON raw_tels (tel);`);
  const upsert = db.prepare(
    `INSERT INTO raw_vcons (uuid, created_ms, document) VALUES (?, ?, ?)
     ON CONFLICT (uuid) DO UPDATE SET created_ms = excluded.created_ms, document = excluded.document`,
  );
  const insertTel = db.prepare("INSERT OR IGNORE INTO raw_tels (uuid, tel) VALUES (?, ?)");
  const get = db.prepare("SELECT document FROM raw_vcons WHERE uuid = ?");
  const search = db.prepare(
    `SELECT d.document FROM raw_vcons d WHERE EXISTS (SELECT 1 FROM raw_tels t WHERE t.uuid = d.uuid AND t.tel = ?)
     ORDER BY d.created_ms, d.uuid LIMIT 100`,
  );
  const page = db.prepare(
    `SELECT uuid, created_ms, document FROM raw_vcons
     WHERE created_ms >= ? AND created_ms < ? AND (created_ms > ? OR (created_ms = ? AND uuid > ?))
     ORDER BY created_ms, uuid LIMIT 500`,
  );
  // Concurrent range exports share one read transaction: a connection holds one at a time, and a
  // second BEGIN on it fails ("cannot start a transaction within a transaction").
  let readers = 0;
  const beginRead = () => {
    if (readers++ === 0) db.prepare("BEGIN").run();
  };
  const endRead = () => {
    if (--readers === 0) db.prepare("COMMIT").run();
  };
  const write = db.transaction((docs: readonly BenchDoc[]) => {
    for (const doc of docs) {
      upsert.run(doc.uuid, Date.parse(doc.createdAt), JSON.stringify(doc.vcon));
      for (const party of doc.vcon.parties ?? [])
        if (typeof party.tel === "string") insertTel.run(doc.uuid, party.tel);
    }
  });
  return {
    async save(doc) {
      write.immediate([doc]);
    },
    async get(uuid) {
      const row = get.get(uuid) as { document: string } | undefined;
      return row ? JSON.parse(row.document) : null;
    },
    async saveBatch(docs) {
      write.immediate(docs);
    },
    async searchTel(tel) {
      const rows = search.all(tel) as Array<{ document: string }>;
      for (const row of rows) JSON.parse(row.document);
      return rows.length;
    },
    async exportRange(range) {
      let count = 0;
      let after: [number, string] = [range.since.getTime() - 1, "~"];
      beginRead();
      try {
        for (;;) {
          const rows = page.all(
            range.since.getTime(),
            range.until.getTime(),
            after[0],
            after[0],
            after[1],
          ) as Array<{
            uuid: string;
            created_ms: number;
            document: string;
          }>;
          for (const row of rows) JSON.parse(row.document);
          count += rows.length;
          if (rows.length < 500) break;
          const last = rows.at(-1)!;
          after = [last.created_ms, last.uuid];
          // Yield between pages, as an async export does.
          await new Promise((resolve) => setImmediate(resolve));
        }
      } finally {
        endRead();
      }
      return count;
    },
    async clear() {
      db.exec("DELETE FROM raw_vcons; DELETE FROM raw_tels;");
    },
    async close() {
      db.close();
    },
  };
}
