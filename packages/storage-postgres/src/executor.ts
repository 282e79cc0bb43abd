import type { PGlite } from "@electric-sql/pglite";
import type pg from "pg";

/** One way to run SQL, over a pg pool or a PGlite instance: the adapter is written once against it. */
export interface Executor {
  readonly kind: "pg" | "pglite";
  /** Runs one statement; `name` makes it a named prepared statement where the driver supports it. */
  query<R>(text: string, values?: unknown[], name?: string): Promise<R[]>;
  /** Runs `work` inside one transaction on one connection. */
  transaction<T>(work: (query: QueryFn) => Promise<T>): Promise<T>;
  /** Ends what this executor owns (a pool it made, a PGlite it opened); leaves borrowed ones alone. */
  close(): Promise<void>;
}

export type QueryFn = <R>(text: string, values?: unknown[]) => Promise<R[]>;

export function poolExecutor(pool: pg.Pool, owned: boolean): Executor {
  let ended = false;
  return {
    kind: "pg",
    async query<R>(text: string, values: unknown[] = [], name?: string) {
      const result = await pool.query(name ? { name, text, values } : { text, values });
      return result.rows as R[];
    },
    async transaction<T>(work: (query: QueryFn) => Promise<T>) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await work(async <R>(text: string, values: unknown[] = []) => {
          return (await client.query(text, values)).rows as R[];
        });
        await client.query("COMMIT");
        client.release();
        return result;
      } catch (error) {
        // A broken connection must not go back to the pool.
        await client.query("ROLLBACK").then(
          () => client.release(),
          (rollbackError: Error) => client.release(rollbackError),
        );
        throw error;
      }
    },
    async close() {
      if (!owned || ended) return;
      ended = true;
      await pool.end();
    },
  };
}

export function pgliteExecutor(db: PGlite, owned: boolean): Executor {
  return {
    kind: "pglite",
    async query<R>(text: string, values: unknown[] = []) {
      return (await db.query<R>(text, values)).rows;
    },
    async transaction<T>(work: (query: QueryFn) => Promise<T>) {
      return db.transaction((tx) =>
        work(async <R>(text: string, values: unknown[] = []) => (await tx.query<R>(text, values)).rows),
      );
    },
    async close() {
      if (owned && !db.closed) await db.close();
    },
  };
}
