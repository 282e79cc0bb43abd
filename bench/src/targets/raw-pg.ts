import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { BenchDoc } from "../documents.js";
import {
  copyLine,
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

const EXPORT_FETCH = 500;

/** The raw baseline on a PostgreSQL server: node-postgres named prepared statements, COPY for batches. */
export async function rawPgWorkload(connectionString: string, poolSize: number): Promise<Workload> {
  const pool = new pg.Pool({ connectionString, max: poolSize });
  await pool.query(RAW_SCHEMA);
  return {
    async save(doc) {
      await pool.query({ name: "raw-upsert", text: RAW_UPSERT, values: upsertParams(doc) });
    },
    async get(uuid) {
      const { rows } = await pool.query<{ vcon: string }>({ name: "raw-get", text: RAW_GET, values: [uuid] });
      return rows[0] ? JSON.parse(rows[0].vcon) : null;
    },
    async saveBatch(docs) {
      const client = await pool.connect();
      try {
        const stream = client.query(copyFrom(`copy ${RAW_COPY_COLUMNS} from stdin`));
        await pipeline(Readable.from(copyChunks(docs)), stream);
      } finally {
        client.release();
      }
    },
    async searchTel(tel) {
      const { rows } = await pool.query<{ vcon: string }>({
        name: "raw-search-tel",
        text: RAW_SEARCH_TEL,
        values: [telFilter(tel)],
      });
      for (const row of rows) JSON.parse(row.vcon);
      return rows.length;
    },
    async exportRange(range) {
      const client = await pool.connect();
      let count = 0;
      try {
        await client.query("begin");
        await client.query({
          text: `declare raw_export no scroll cursor for ${RAW_EXPORT}`,
          values: [range.since, range.until],
        });
        for (;;) {
          const { rows } = await client.query<{ vcon: string }>(`fetch ${EXPORT_FETCH} from raw_export`);
          for (const row of rows) JSON.parse(row.vcon);
          count += rows.length;
          if (rows.length < EXPORT_FETCH) break;
        }
        await client.query("commit");
      } catch (error) {
        await client.query("rollback").catch(() => {});
        throw error;
      } finally {
        client.release();
      }
      return count;
    },
    async afterBulkLoad() {
      await pool.query(`vacuum analyze ${RAW_TABLE}`);
    },
    async clear() {
      await pool.query(RAW_TRUNCATE);
    },
    close: () => pool.end(),
  };
}

/** COPY text in chunks of a few hundred rows: fewer, larger writes, as a careful loader does. */
export function* copyChunks(docs: readonly BenchDoc[], rowsPerChunk = 200): Generator<string> {
  for (let i = 0; i < docs.length; i += rowsPerChunk) {
    let chunk = "";
    for (const doc of docs.slice(i, i + rowsPerChunk)) chunk += copyLine(doc);
    yield chunk;
  }
}
