import type { Connection } from "../connect/index.js";
import type { ErrorFunnel } from "../errors.js";

/** What a health check found: `lagMs` 0 when the replica has replayed all the primary had written. */
export type ReplicaHealth =
  | { state: "unknown" }
  | { state: "healthy"; lagMs: number }
  | { state: "lagging"; lagMs: number | null }
  | { state: "down"; problem: string };

/** A replica as `PostgresAdapter.replicas()` reports it: never with a password. */
export interface ReplicaStatus {
  target: string;
  state: ReplicaHealth["state"];
  /** How far behind the primary it was at the last check, when known. */
  lagMs: number | null;
  /** When it was last checked (epoch ms), or null before the first check. */
  checkedAt: number | null;
  /** Why it is down (the error's code and message, scrubbed), while it is. */
  problem: string | null;
}

/** Longest wait before a down replica is tried again. */
const MAX_BACKOFF_MS = 30_000;

/**
 * The replica's side of the lag check, given the primary's current WAL position (or null when the
 * primary did not answer). Caught up means replayed past that position: an idle primary writes
 * nothing, so the time since the last replayed transaction alone would call an idle pair lagging.
 */
const PROBE = `SELECT pg_is_in_recovery() AS standby,
  coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false) AS caught_up,
  (extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000)::float8 AS replay_age_ms`;

/** One replica: its pool, its error funnel, and what the last check found. */
export class Replica {
  readonly connection: Connection;
  readonly errors: ErrorFunnel;
  #health: ReplicaHealth = { state: "unknown" };
  #checkedAt: number | null = null;
  /** Not checked again before this time (backoff after failures). */
  #retryAt = 0;
  #failures = 0;

  constructor(connection: Connection, errors: ErrorFunnel) {
    this.connection = connection;
    this.errors = errors;
  }

  get target(): string {
    return this.connection.target;
  }

  get health(): ReplicaHealth {
    return this.#health;
  }

  /** Usable for a read now: healthy at a check no older than `freshForMs`. */
  usable(now: number, freshForMs: number): boolean {
    return (
      this.#health.state === "healthy" && this.#checkedAt !== null && now - this.#checkedAt <= freshForMs
    );
  }

  /** Due for a check: its backoff (after a failure) is over. */
  due(now: number): boolean {
    return now >= this.#retryAt;
  }

  /**
   * Measures the replica against `primaryLsn` and records the verdict. Never throws: a replica that
   * does not answer is `down` and backs off (doubling from `baseMs`, at most 30 s).
   */
  async check(
    primaryLsn: string | null,
    maxLagMs: number,
    baseMs: number,
    now = Date.now,
  ): Promise<ReplicaHealth> {
    const startedAt = now();
    try {
      const [row] = await this.connection.query<{
        standby: boolean;
        caught_up: boolean;
        replay_age_ms: number | null;
      }>(PROBE, [primaryLsn]);
      if (!row?.standby) {
        // A promoted standby (or a primary listed by mistake) no longer follows the primary.
        return this.#record(
          startedAt,
          { state: "down", problem: "not a standby (pg_is_in_recovery() is false)" },
          baseMs,
        );
      }
      const lagMs = row.caught_up
        ? 0
        : row.replay_age_ms === null
          ? null
          : Math.max(0, Math.round(row.replay_age_ms));
      const health: ReplicaHealth =
        lagMs !== null && lagMs <= maxLagMs ? { state: "healthy", lagMs } : { state: "lagging", lagMs };
      return this.#record(startedAt, health, baseMs);
    } catch (error) {
      return this.markDown(error, baseMs, startedAt);
    }
  }

  /** After a failed read or check: down, tried again after a backoff. */
  markDown(error: unknown, baseMs: number, at = Date.now()): ReplicaHealth {
    const mapped = this.errors.map(error);
    return this.#record(at, { state: "down", problem: `${mapped.code}: ${mapped.message}` }, baseMs);
  }

  status(): ReplicaStatus {
    const health = this.#health;
    return {
      target: this.target,
      state: health.state,
      lagMs: "lagMs" in health ? health.lagMs : null,
      checkedAt: this.#checkedAt,
      problem: health.state === "down" ? health.problem : null,
    };
  }

  #record(at: number, health: ReplicaHealth, baseMs: number): ReplicaHealth {
    this.#health = health;
    this.#checkedAt = at;
    // Lagging is checked again on the next round; down backs off, doubling.
    this.#failures = health.state === "down" ? this.#failures + 1 : 0;
    this.#retryAt =
      health.state === "down" ? at + Math.min(baseMs * 2 ** (this.#failures - 1), MAX_BACKOFF_MS) : 0;
    return health;
  }
}
