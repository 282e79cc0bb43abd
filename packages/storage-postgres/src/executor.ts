import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { PGlite } from "@electric-sql/pglite";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";

/** One way to run SQL, over a pg pool or a PGlite instance: the adapter is written once against it. */
export interface Executor {
  readonly kind: "pg" | "pglite";
  /** Runs one statement; `name` makes it a named prepared statement where the driver supports it. */
  query<R>(text: string, values?: unknown[], name?: string): Promise<R[]>;
  /**
   * Runs `work` inside one transaction on one connection. On a server `copy` streams text into
   * `COPY ... FROM STDIN` on that connection; PGlite has no such stream and passes no `copy`.
   */
  transaction<T>(work: (query: QueryFn, copy?: CopyFn) => Promise<T>): Promise<T>;
  /** Ends what this executor owns (a pool it made, a PGlite it opened); leaves borrowed ones alone. */
  close(): Promise<void>;
}

export type QueryFn = <R>(text: string, values?: unknown[]) => Promise<R[]>;

/** Streams COPY text-format data (chunks of whole lines) into `copySql` (a `COPY ... FROM STDIN`). */
export type CopyFn = (copySql: string, data: Iterable<string>) => Promise<void>;

export function poolExecutor(pool: pg.Pool, owned: boolean): Executor {
  let ended = false;
  return {
    kind: "pg",
    // No async wrapper on the hot path: one promise less per call.
    query<R>(text: string, values: unknown[] = [], name?: string): Promise<R[]> {
      return pool.query(name ? { name, text, values } : { text, values }).then(rowsOf) as Promise<R[]>;
    },
    async transaction<T>(work: (query: QueryFn, copy?: CopyFn) => Promise<T>) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await work(
          async <R>(text: string, values: unknown[] = []) => (await client.query(text, values)).rows as R[],
          // Readable.from writes chunk by chunk and waits on backpressure; an error anywhere ends the
          // COPY with CopyFail, and the ROLLBACK below ends the transaction.
          (copySql, data) =>
            pipeline(Readable.from(data, { objectMode: false }), client.query(copyFrom(copySql))),
        );
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

function rowsOf(result: pg.QueryResult): unknown[] {
  return result.rows;
}

export function pgliteExecutor(db: PGlite, owned: boolean): Executor {
  return {
    kind: "pglite",
    async query<R>(text: string, values: unknown[] = []) {
      return (await db.query<R>(text, values)).rows;
    },
    async transaction<T>(work: (query: QueryFn, copy?: CopyFn) => Promise<T>) {
      return db.transaction((tx) =>
        work(async <R>(text: string, values: unknown[] = []) => (await tx.query<R>(text, values)).rows),
      );
    },
    async close() {
      if (owned && !db.closed) await db.close();
    },
  };
}
