import { PGlite } from "@electric-sql/pglite";
import {
  RAW_COPY_COLUMNS,
  RAW_EXPORT,
  RAW_GET,
  RAW_SCHEMA,
  RAW_SEARCH_TEL,
  RAW_TABLE,
  RAW_TRUNCATE,
  RAW_UPSERT,
  telFilter,
  upsertParams,
} from "../raw-sql.js";
import type { Workload } from "../workload.js";
import { copyChunks } from "./raw-pg.js";

const EXPORT_FETCH = 500;

/** The raw baseline on PGlite: its own `query` with the same SQL as the server baseline, COPY from a blob. */
export async function rawPgliteWorkload(dataDir: string): Promise<Workload> {
  const db = await PGlite.create(dataDir);
  await db.exec(RAW_SCHEMA);
  return {
    async save(doc) {
      await db.query(RAW_UPSERT, upsertParams(doc));
    },
    async get(uuid) {
      const { rows } = await db.query<{ vcon: string }>(RAW_GET, [uuid]);
      return rows[0] ? JSON.parse(rows[0].vcon) : null;
    },
    async saveBatch(docs) {
      const blob = new Blob([...copyChunks(docs)]);
      await db.query(`copy ${RAW_COPY_COLUMNS} from '/dev/blob'`, [], { blob });
    },
    async searchTel(tel) {
      const { rows } = await db.query<{ vcon: string }>(RAW_SEARCH_TEL, [telFilter(tel)]);
      for (const row of rows) JSON.parse(row.vcon);
      return rows.length;
    },
    exportRange: (range) =>
      db.transaction(async (tx) => {
        await tx.query(`declare raw_export no scroll cursor for ${RAW_EXPORT}`, [range.since, range.until]);
        let count = 0;
        for (;;) {
          const { rows } = await tx.query<{ vcon: string }>(`fetch ${EXPORT_FETCH} from raw_export`);
          for (const row of rows) JSON.parse(row.vcon);
          count += rows.length;
          if (rows.length < EXPORT_FETCH) return count;
        }
      }),
    async afterBulkLoad() {
      await db.exec(`vacuum analyze ${RAW_TABLE}`);
    },
    async clear() {
      await db.query(RAW_TRUNCATE);
    },
    close: () => db.close(),
  };
}
