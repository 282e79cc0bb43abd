import type { Logger, ReadOptions } from "@vcon/storage-core";
import type { Connection } from "../connect/index.js";
import type { ErrorFunnel } from "../errors.js";
import { NAME } from "../name.js";
import { RecentWrites } from "./recent-writes.js";
import { Replica, type ReplicaStatus } from "./replica.js";

/** Where a read runs: a connection and the funnel that names its server in errors. */
export interface Route {
  connection: Connection;
  errors: ErrorFunnel;
}

export interface RouterSettings {
  maxReplicaLagMs: number;
  replicaCheckMs: number;
}

/** uuids remembered for read-your-writes; past this, single reads go to the primary for a window. */
export const RECENT_WRITES_CAPACITY = 10_000;
/** Allowance for clock skew between the servers (lag is measured against commit timestamps). */
const CLOCK_MARGIN_MS = 1_000;

/**
 * Sends reads to a healthy replica, round robin, and everything else to the primary.
 *
 * Health is checked in rounds, started by reads at most every `replicaCheckMs` (no timer keeps the
 * process alive) and run in the background: a read never waits for a check. A verdict counts for two
 * check intervals; after that the replica is treated as unknown (primary) until the next round ends.
 * A replica that fails a read is marked down at once, backs off, and the read is retried on the primary.
 *
 * Read-your-writes: a replica is used only when it was at most `maxReplicaLagMs` behind at a check at
 * most 2 × `replicaCheckMs` old, so a write acknowledged longer ago than the sum (plus a clock margin)
 * is on it. Single-document reads (get, exists) of a uuid written or deleted within that window go to
 * the primary. Search and export do not track this: ask for `{ consistency: "primary" }` there.
 */
export class ReadRouter {
  readonly #primary: Route;
  readonly #replicas: Replica[];
  readonly #settings: RouterSettings;
  readonly #logger: Logger;
  readonly #recent: RecentWrites;
  readonly #freshForMs: number;
  #next = 0;
  #lastRound = Number.NEGATIVE_INFINITY;
  #round: Promise<void> | null = null;
  #closed = false;

  constructor(primary: Route, replicas: Route[], settings: RouterSettings, logger: Logger) {
    this.#primary = primary;
    this.#replicas = replicas.map((route) => new Replica(route.connection, route.errors));
    this.#settings = settings;
    this.#logger = logger;
    this.#freshForMs = 2 * settings.replicaCheckMs;
    this.#recent = new RecentWrites(
      settings.maxReplicaLagMs + this.#freshForMs + CLOCK_MARGIN_MS,
      RECENT_WRITES_CAPACITY,
    );
  }

  /** True when there are replicas to route to. */
  get active(): boolean {
    return this.#replicas.length > 0;
  }

  /** Writes of these uuids start or end: their next reads go to the primary for the window. */
  noteWrites(uuids: Iterable<string>): void {
    if (!this.active) return;
    for (const uuid of uuids) this.#recent.note(uuid);
  }

  /**
   * Runs a read on a replica when one fits (see the class comment), else on the primary; a replica's
   * failure marks it down and the read runs again on the primary.
   */
  read<T>(
    uuid: string | null,
    options: ReadOptions | undefined,
    work: (route: Route) => Promise<T>,
  ): Promise<T> {
    const replica = this.#pick(uuid, options);
    // Not async: without a replica a read pays no extra promise (issue 17, get at one caller).
    return replica ? this.#onReplica(replica, work) : work(this.#primary);
  }

  async #onReplica<T>(replica: Replica, work: (route: Route) => Promise<T>): Promise<T> {
    try {
      return await work(replica);
    } catch (error) {
      this.#failed(replica, error);
      return work(this.#primary);
    }
  }

  /**
   * The server an export runs on, for its whole run: a replica when one fits, else the primary. Call
   * `failed(route, error)` when it fails before yielding anything, and run it again on the primary.
   */
  exportRoute(options: ReadOptions | undefined): Route {
    return this.#pick(null, options) ?? this.#primary;
  }

  get primary(): Route {
    return this.#primary;
  }

  /** Marks the replica behind `route` down (no-op for the primary). */
  failed(route: Route, error: unknown): void {
    const replica = this.#replicas.find((candidate) => candidate === route);
    if (replica) this.#failed(replica, error);
  }

  /** Checks every replica now (those backing off too) and reports them: for health endpoints and tests. */
  async check(): Promise<ReplicaStatus[]> {
    await this.#round;
    await this.#runRound(true);
    return this.status();
  }

  status(): ReplicaStatus[] {
    return this.#replicas.map((replica) => replica.status());
  }

  /** Waits for a running check, then ends the replicas' pools (the primary is the adapter's). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#round;
    await Promise.all(this.#replicas.map((replica) => replica.connection.close()));
  }

  #pick(uuid: string | null, options: ReadOptions | undefined): Replica | undefined {
    if (!this.active || this.#closed) return undefined;
    const now = Date.now();
    this.#maybeStartRound(now);
    if (options?.consistency === "primary") return undefined;
    if (uuid !== null && this.#recent.has(uuid)) return undefined;
    const count = this.#replicas.length;
    for (let step = 0; step < count; step++) {
      const replica = this.#replicas[(this.#next + step) % count]!;
      if (replica.usable(now, this.#freshForMs)) {
        this.#next = (this.#next + step + 1) % count;
        return replica;
      }
    }
    return undefined;
  }

  #failed(replica: Replica, error: unknown): void {
    const health = replica.markDown(error, this.#settings.replicaCheckMs);
    this.#logger.warn(
      {
        adapter: NAME,
        replica: replica.target,
        problem: health.state === "down" ? health.problem : undefined,
      },
      "postgres replica failed a read: reading from the primary until it answers again",
    );
  }

  #maybeStartRound(now: number): void {
    if (this.#round || now - this.#lastRound < this.#settings.replicaCheckMs) return;
    this.#round = this.#runRound(false).finally(() => {
      this.#round = null;
    });
  }

  async #runRound(all: boolean): Promise<void> {
    const now = Date.now();
    this.#lastRound = now;
    const due = this.#replicas.filter((replica) => all || replica.due(now));
    if (due.length === 0 || this.#closed) return;
    const primaryLsn = await this.#primary.connection
      .query<{ lsn: string }>("SELECT pg_current_wal_lsn()::text AS lsn")
      .then(
        (rows) => rows[0]?.lsn ?? null,
        () => null,
      );
    const { maxReplicaLagMs, replicaCheckMs } = this.#settings;
    await Promise.all(
      due.map(async (replica) => {
        const before = replica.health.state;
        const after = await replica.check(primaryLsn, maxReplicaLagMs, replicaCheckMs);
        if (after.state !== before) this.#logTransition(replica, after);
      }),
    );
  }

  #logTransition(replica: Replica, health: Replica["health"]): void {
    const fields = { adapter: NAME, replica: replica.target, ...health };
    if (health.state === "healthy") this.#logger.info(fields, "postgres replica serving reads");
    else this.#logger.warn(fields, "postgres replica skipped for reads");
  }
}
