/** One way to run SQL, over a pg pool or a PGlite instance: the adapter is written once against it. */
export interface Connection {
  /** The driver underneath: `pg` (a pool on a server) or `pglite` (PostgreSQL in this process). */
  readonly driver: "pg" | "pglite";
  /** True when this connection made its pool or PGlite and so ends it on close; false for borrowed ones. */
  readonly owned: boolean;
  /** What it is connected to, for messages and `describe()`: never with a password. */
  readonly target: string;
  /** Statements that can run at once: the pool's size (PGlite runs one at a time). */
  readonly concurrency: number;
  /** Secrets (a password) that error messages must never show. */
  readonly secrets: readonly string[];
  /**
   * Starts what the connection needs before its first statement (PGlite of our own); absent where
   * nothing needs starting (a pool connects lazily). A failure leaves nothing open; calling it again
   * after success does nothing.
   */
  open?(): Promise<void>;
  /** Runs one statement; `name` makes it a named prepared statement where the driver supports it. */
  query<R>(text: string, values?: unknown[], name?: string): Promise<R[]>;
  /**
   * Runs a read of one row by key (get, exists): on a pg pool, pipelined on a few clients of the pool
   * unless `pipelineReads` is off (see pipelined-reads.ts); elsewhere the same as `query`.
   */
  read<R>(text: string, values: unknown[], name?: string): Promise<R[]>;
  /** Runs `work` inside one transaction on one connection; throws after ROLLBACK when `work` does. */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  /**
   * Streams the rows of `text` through a server-side cursor, `fetchSize` rows per slice, on a
   * connection of its own, asking for the next slice only once the consumer took the previous one.
   * Absent on PGlite, whose single connection a long transaction would block.
   */
  cursor?<R>(text: string, values: unknown[], fetchSize: number, signal: AbortSignal): AsyncIterable<R[]>;
  /** Ends what this connection owns (a pool it made, a PGlite it opened); leaves borrowed ones alone. */
  close(): Promise<void>;
}

export interface Transaction {
  query<R>(text: string, values?: unknown[]): Promise<R[]>;
  /**
   * Streams COPY text-format data (chunks of whole lines) into `copySql` (a `COPY ... FROM STDIN`) on
   * the transaction's connection. Absent on PGlite, which has no such stream.
   */
  copy?(copySql: string, data: Iterable<string>): Promise<void>;
}

/** How the adapter reached its database, as `PostgresAdapter.mode` reports it. */
export type ConnectionMode = "server" | "embedded" | "pool" | "pglite";

/** `driver` and `owned` in one word, for logs and `describe()`. */
export function connectionMode(connection: Pick<Connection, "driver" | "owned">): ConnectionMode {
  if (connection.driver === "pg") return connection.owned ? "server" : "pool";
  return connection.owned ? "embedded" : "pglite";
}
