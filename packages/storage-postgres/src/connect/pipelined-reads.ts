import type pg from "pg";

/**
 * Pool clients that carry single-row reads: pipelined ones beat a pool of 16 at 16 callers (issue 17,
 * bench/src/get-probe.ts), and two were the best count measured.
 */
export const PIPELINED_CLIENTS = 2;

/** A pool client with pg's pipeline mode (pg 8.23+), which @types/pg does not know yet. */
type PipelinedClient = pg.PoolClient & { pipeline: boolean };

/** One pipelined client, checked out of the pool while it has reads in flight. */
interface Lane {
  client: PipelinedClient | null;
  /** The checkout under way, shared by the reads that arrive meanwhile. */
  connecting: Promise<PipelinedClient> | null;
  inFlight: number;
  /** The release scheduled for when the lane stays idle past the current turn of the event loop. */
  idle: NodeJS.Immediate | null;
  /** Called when the last read in flight settles (close() waits on it). */
  drained: (() => void) | null;
  /** Our `error` listener on `client`, removed when the client goes back. */
  onError: ((error: Error) => void) | null;
}

/**
 * Single-row reads over a few pool clients in pg's pipeline mode: each client sends its reads without
 * waiting for the answers of the ones before, so a handful of connections serves many callers, with
 * fewer server processes and round trips than one connection per caller.
 *
 * A read goes to the client with the fewest in flight (the first on a tie), so one caller keeps using one
 * client and sees no added latency. A client goes back to the pool (out of pipeline mode) once it has
 * stayed idle for a turn of the event loop: idle readers hold no connections that writes, cursors and
 * transactions could use. A client whose connection breaks (a lost server, a terminated backend, pg's
 * `query_timeout`, which tears a pipelined connection down) fails the reads in flight on it, is
 * destroyed and never reused; the next read checks out a fresh one. A server-side error of one read
 * (`statement_timeout` included) fails that read alone: each pipelined query ends with its own Sync.
 */
export class PipelinedReads {
  readonly #pool: pg.Pool;
  readonly #lanes: Lane[];
  #closed = false;

  constructor(pool: pg.Pool, clients: number) {
    this.#pool = pool;
    this.#lanes = Array.from({ length: clients }, () => ({
      client: null,
      connecting: null,
      inFlight: 0,
      idle: null,
      drained: null,
      onError: null,
    }));
  }

  /** The number of pipelined clients a pool of `poolSize` can spare: writes keep at least half of it. */
  static clientsFor(poolSize: number): number {
    return Math.min(PIPELINED_CLIENTS, Math.floor(poolSize / 2));
  }

  query(text: string, values: unknown[], name?: string): Promise<unknown[]> {
    if (this.#closed) return this.#pool.query({ name, text, values }).then(rowsOf);
    const lane = this.#pick();
    lane.inFlight++;
    if (lane.idle) {
      clearImmediate(lane.idle);
      lane.idle = null;
    }
    const config = { name, text, values };
    const running = lane.client
      ? run(lane.client, config)
      : this.#checkOut(lane).then((client) => run(client, config));
    return running.then(
      (result) => {
        this.#settled(lane);
        return result.rows;
      },
      (error: unknown) => {
        // The server ends a connection after a FATAL (a terminated backend, a shutdown), but the socket
        // closes a moment later: reads sent meanwhile would follow the dying client.
        if (isFatal(error)) lane.client = null;
        this.#settled(lane);
        throw error;
      },
    );
  }

  /**
   * Stops pipelining (later reads go through the pool) and waits for the reads in flight to settle,
   * then gives every client back. Call before ending the pool: pg.Pool#end waits for checked-out clients.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(
      this.#lanes.map(async (lane) => {
        if (lane.inFlight > 0) await new Promise<void>((resolve) => (lane.drained = resolve));
        this.#giveBack(lane);
      }),
    );
  }

  #pick(): Lane {
    let best = this.#lanes[0]!;
    for (let i = 1; i < this.#lanes.length; i++) {
      const lane = this.#lanes[i]!;
      if (lane.inFlight < best.inFlight) best = lane;
    }
    return best;
  }

  #checkOut(lane: Lane): Promise<PipelinedClient> {
    lane.connecting ??= this.#pool.connect().then(
      (checkedOut) => {
        const client = checkedOut as PipelinedClient;
        lane.connecting = null;
        // Checked out, a client's `error` (its connection ending) reaches no pool listener: unheard, it
        // would crash the process. pg has failed every read on it by then: drop it for a fresh one.
        const onError = (error: Error) => {
          client.off("error", onError);
          this.#broken(lane, client, error);
        };
        lane.onError = onError;
        client.on("error", onError);
        // Idle now (nothing runs on a client the pool hands out), so switching modes is safe.
        client.pipeline = true;
        lane.client = client;
        return client;
      },
      (error: unknown) => {
        lane.connecting = null;
        throw error;
      },
    );
    return lane.connecting;
  }

  #settled(lane: Lane): void {
    if (--lane.inFlight > 0) return;
    if (lane.drained) {
      lane.drained();
      lane.drained = null;
      return;
    }
    // A caller that reads again right away (its continuation runs before this) keeps the client.
    if (lane.client && !this.#closed) lane.idle = setImmediate(() => this.#giveBack(lane));
  }

  #giveBack(lane: Lane): void {
    lane.idle = null;
    const client = lane.client;
    if (!client || lane.inFlight > 0) return;
    lane.client = null;
    client.off("error", lane.onError!);
    lane.onError = null;
    client.pipeline = false;
    client.release();
  }

  /** The client's connection ended: released with the error, so the pool destroys it. */
  #broken(lane: Lane, client: PipelinedClient, error: Error): void {
    if (lane.client === client) {
      lane.client = null;
      lane.onError = null;
    }
    // A late second error from the same dead socket must not crash the process either.
    client.on("error", () => {});
    client.release(error);
  }
}

/** Per connection, the named statements it has parsed (pg keeps them for its life), or the first run parsing one. */
const statementsOf = new WeakMap<pg.PoolClient, Map<string, true | Promise<void>>>();

/**
 * Sends a read on `client`, the first of each named statement alone: reads pipelined behind a Parse that
 * fails (a first read timing out on a lock, say) would be sent without a Parse of their own and fail
 * with "prepared statement does not exist" instead of their own outcome.
 */
function run(client: PipelinedClient, config: pg.QueryConfig): Promise<pg.QueryResult> {
  const { name } = config;
  if (!name) return client.query(config);
  let parsed = statementsOf.get(client);
  if (!parsed) {
    parsed = new Map();
    statementsOf.set(client, parsed);
  }
  const known = parsed.get(name);
  if (known === true) return client.query(config);
  if (known) return known.then(() => run(client, config));
  const first = client.query(config);
  parsed.set(
    name,
    first.then(
      () => void parsed.set(name, true),
      () => void parsed.delete(name),
    ),
  );
  return first;
}

function isFatal(error: unknown): boolean {
  const { severity } = error as { severity?: string };
  return severity === "FATAL" || severity === "PANIC";
}

function rowsOf(result: pg.QueryResult): unknown[] {
  return result.rows;
}
