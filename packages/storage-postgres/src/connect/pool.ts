import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import {
  type ConnectionTarget,
  describeTarget,
  poolConfig,
  type ResolvedOptions,
  resolveTarget,
} from "../options.js";
import type { Connection, Transaction } from "./connection.js";
import { PipelinedReads } from "./pipelined-reads.js";

/** A pool of our own on the server the options name (or on `target`: a read replica). */
export function serverConnection(
  options: ResolvedOptions,
  target: ConnectionTarget = resolveTarget(options),
): Connection {
  const pool = new pg.Pool(poolConfig(options, target));
  // An idle client losing its server must not crash the process: the pool replaces it on next use.
  pool.on("error", () => {});
  return poolConnection(pool, options.pipelineReads, {
    owned: true,
    target: describeTarget(target),
    secrets: target.password ? [target.password] : [],
  });
}

/** The caller's pool: used, never ended (pipelined reads give their clients back on close). */
export function borrowedPool(pool: pg.Pool, pipelineReads: boolean): Connection {
  return poolConnection(pool, pipelineReads, { owned: false, target: "caller's pool", secrets: [] });
}

function poolConnection(
  pool: pg.Pool,
  pipelineReads: boolean,
  about: { owned: boolean; target: string; secrets: string[] },
): Connection {
  let ended = false;
  const concurrency = pool.options.max ?? 10;
  const clients = pipelineReads ? PipelinedReads.clientsFor(concurrency) : 0;
  const pipelined = clients > 0 ? new PipelinedReads(pool, clients) : null;
  // No async wrapper on the hot path: one promise less per call.
  const query = <R>(text: string, values: unknown[] = [], name?: string): Promise<R[]> =>
    pool.query(name ? { name, text, values } : { text, values }).then(rowsOf) as Promise<R[]>;
  return {
    driver: "pg",
    ...about,
    concurrency,
    query,
    read: pipelined
      ? <R>(text: string, values: unknown[], name?: string) =>
          pipelined.query(text, values, name) as Promise<R[]>
      : query,
    async transaction<T>(work: (tx: Transaction) => Promise<T>) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await work({
          query: async <R>(text: string, values: unknown[] = []) =>
            (await client.query(text, values)).rows as R[],
          // Readable.from writes chunk by chunk and waits on backpressure; an error anywhere ends the
          // COPY with CopyFail, and the ROLLBACK below ends the transaction.
          copy: (copySql, data) =>
            pipeline(Readable.from(data, { objectMode: false }), client.query(copyFrom(copySql))),
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
    cursor: <R>(text: string, values: unknown[], fetchSize: number, signal: AbortSignal) =>
      cursorRows<R>(pool, text, values, fetchSize, signal),
    async close() {
      await pipelined?.close();
      if (!about.owned || ended) return;
      ended = true;
      await pool.end();
    },
  };
}

function rowsOf(result: pg.QueryResult): unknown[] {
  return result.rows;
}

/** DECLARE / FETCH on a client of its own, inside a read-only transaction that ends with the walk. */
async function* cursorRows<R>(
  pool: pg.Pool,
  text: string,
  values: unknown[],
  fetchSize: number,
  signal: AbortSignal,
): AsyncIterable<R[]> {
  const client = await pool.connect();
  let released = false;
  const release = (destroy: boolean) => {
    if (released) return;
    released = true;
    client.release(destroy || undefined);
  };
  // close() aborts the signal while a consumer may sit on a yielded slice: drop the connection then,
  // or pool.end() would wait for it forever.
  const onAbort = () => release(true);
  signal.addEventListener("abort", onAbort, { once: true });
  // A server that ends the connection while the consumer holds a slice makes a checked-out client emit
  // `error` (the pool listens only on idle ones): unhandled, that would crash the process. The next
  // FETCH fails with it instead.
  const onError = () => {};
  client.on("error", onError);
  const fetchSql = `FETCH ${fetchSize} FROM vcon_export`;
  try {
    await client.query("BEGIN READ ONLY");
    await client.query(`DECLARE vcon_export NO SCROLL CURSOR FOR ${text}`, values);
    while (!signal.aborted) {
      const { rows } = await client.query(fetchSql);
      yield rows as R[];
      if (rows.length < fetchSize) break;
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    client.off("error", onError);
    if (!released) {
      // Ends the transaction and its cursor, whether the consumer finished, stopped early or failed.
      const clean = await client.query("ROLLBACK").then(
        () => true,
        () => false,
      );
      release(!clean);
    }
  }
}
