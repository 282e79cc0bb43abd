import mysql from "mysql2/promise";
import type { BenchDoc } from "../documents.js";
import type { Workload } from "../workload.js";

const BATCH_ROWS = 500;
const EXPORT_PAGE = 500;

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS raw_vcons (
     uuid CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
     created_ms BIGINT NOT NULL,
     document LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
     KEY raw_created (created_ms, uuid)
   ) ENGINE=InnoDB`,
  `CREATE TABLE IF NOT EXISTS raw_tels (
     uuid CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
     tel VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
     PRIMARY KEY (uuid, tel),
     KEY raw_tel (tel)
   ) ENGINE=InnoDB`,
];

const UPSERT = `INSERT INTO raw_vcons (uuid, created_ms, document) VALUES (?, ?, ?)
  ON DUPLICATE KEY UPDATE created_ms = VALUES(created_ms), document = VALUES(document)`;

function telsOf(doc: BenchDoc): string[] {
  return [...new Set((doc.vcon.parties ?? []).flatMap((p) => (typeof p.tel === "string" ? [p.tel] : [])))];
}

/**
 * The raw baseline on MySQL/MariaDB: mysql2 prepared statements (`execute`). save = one transaction of
 * the document upsert plus its tel rows; get = SELECT + JSON.parse; batch = one transaction of 500-row
 * multi-row upserts; tel search = an indexed join, first 100 in (created_ms, uuid) order; export = keyset
 * pages of 500 in a consistent-snapshot transaction.
 */
export async function rawMysqlWorkload(url: string, poolSize: number): Promise<Workload> {
  const pool = mysql.createPool({ uri: url, connectionLimit: poolSize, charset: "utf8mb4_bin" });
  for (const statement of SCHEMA) await pool.query(statement);
  const write = async (docs: readonly BenchDoc[]) => {
    const connection = await pool.getConnection();
    try {
      await connection.query("START TRANSACTION");
      for (let i = 0; i < docs.length; i += BATCH_ROWS) {
        const rows = docs.slice(i, i + BATCH_ROWS);
        if (rows.length === 1) {
          const doc = rows[0]!;
          await connection.execute(UPSERT, [doc.uuid, Date.parse(doc.createdAt), JSON.stringify(doc.vcon)]);
        } else {
          await connection.execute(
            `INSERT INTO raw_vcons (uuid, created_ms, document) VALUES ${rows.map(() => "(?, ?, ?)").join(", ")}
             ON DUPLICATE KEY UPDATE created_ms = VALUES(created_ms), document = VALUES(document)`,
            rows.flatMap((doc) => [doc.uuid, Date.parse(doc.createdAt), JSON.stringify(doc.vcon)]),
          );
        }
        const tels = rows.flatMap((doc) => telsOf(doc).map((tel) => [doc.uuid, tel]));
        if (tels.length > 0) {
          await connection.execute(
            `INSERT IGNORE INTO raw_tels (uuid, tel) VALUES ${tels.map(() => "(?, ?)").join(", ")}`,
            tels.flat(),
          );
        }
      }
      await connection.query("COMMIT");
    } catch (error) {
      await connection.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      connection.release();
    }
  };
  return {
    save: (doc) => write([doc]),
    async get(uuid) {
      const [rows] = await pool.execute<mysql.RowDataPacket[]>(
        "SELECT document FROM raw_vcons WHERE uuid = ?",
        [uuid],
      );
      return rows[0] ? JSON.parse(rows[0].document as string) : null;
    },
    saveBatch: (docs) => write(docs),
    async searchTel(tel) {
      const [rows] = await pool.execute<mysql.RowDataPacket[]>(
        `SELECT d.document FROM raw_vcons d WHERE EXISTS (SELECT 1 FROM raw_tels t WHERE t.uuid = d.uuid AND t.tel = ?)
         ORDER BY d.created_ms, d.uuid LIMIT 100`,
        [tel],
      );
      for (const row of rows) JSON.parse(row.document as string);
      return rows.length;
    },
    async exportRange(range) {
      const connection = await pool.getConnection();
      let count = 0;
      try {
        await connection.query("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
        let after: [number, string] = [range.since.getTime() - 1, "~"];
        for (;;) {
          const [rows] = await connection.execute<mysql.RowDataPacket[]>(
            `SELECT uuid, created_ms, document FROM raw_vcons
             WHERE created_ms >= ? AND created_ms < ? AND (created_ms > ? OR (created_ms = ? AND uuid > ?))
             ORDER BY created_ms, uuid LIMIT ${EXPORT_PAGE}`,
            [range.since.getTime(), range.until.getTime(), after[0], after[0], after[1]],
          );
          for (const row of rows) JSON.parse(row.document as string);
          count += rows.length;
          if (rows.length < EXPORT_PAGE) break;
          const last = rows.at(-1)!;
          after = [Number(last.created_ms), last.uuid as string];
        }
        await connection.query("COMMIT");
      } finally {
        connection.release();
      }
      return count;
    },
    async clear() {
      await pool.query("TRUNCATE TABLE raw_vcons");
      await pool.query("TRUNCATE TABLE raw_tels");
    },
    async close() {
      await pool.end();
    },
  };
}
