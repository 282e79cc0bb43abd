import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { fromAdapter, type VconStorage } from "@vcon/storage-core";
import { createTestDatabase, sqlRows } from "@vcon/test-postgres";
import { PostgresAdapter } from "../src/index.js";

/** Plain SQL beside the storage, for EXPLAIN and for what the tests check by hand. */
export type Sql = (text: string, values?: unknown[]) => Promise<Record<string, unknown>[]>;

/** A storage on one engine of the search tests, plain SQL on the same database, and its teardown. */
export interface SearchBackend {
  sql: Sql;
  storage: VconStorage;
  close(): Promise<void>;
}

/** A fresh database on the PostgreSQL server (`url` for a client of its own). */
export async function serverBackend(name: string): Promise<SearchBackend & { url: string }> {
  const database = await createTestDatabase(name);
  const storage = fromAdapter(await PostgresAdapter.connect({ url: database.url }));
  return {
    url: database.url,
    sql: (text, values) => sqlRows(database.url, text, values),
    storage,
    close: async () => {
      await storage.close();
      await database.drop();
    },
  };
}

/** An in-memory PGlite with pg_trgm, as embedded mode loads it. */
export async function pgliteBackend(): Promise<SearchBackend> {
  const pglite = await PGlite.create({ extensions: { pg_trgm } });
  const storage = fromAdapter(await PostgresAdapter.connect({ pglite }));
  return {
    sql: async (text, values) => (await pglite.query<Record<string, unknown>>(text, values)).rows,
    storage,
    close: async () => {
      await storage.close();
      await pglite.close();
    },
  };
}

/** The uuid of the `i`th loaded vCon: a v7 shape, its number in the last group. */
export function numberedUuid(i: number): string {
  return `0190a3c4-0000-7000-8000-${String(i).padStart(12, "0")}`;
}
