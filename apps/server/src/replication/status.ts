import type { ChangeBacklog } from "@vcon/storage-core";
import type { Journal, ReplicaBacklog } from "./journal.js";

/** One replica's replication state, as `/health`, the metrics and `replication status` show it. */
export interface ReplicaStatus {
  replica: string;
  /**
   * Writes not yet acknowledged by the replica (dead letters excluded): journal entries, plus the
   * primary's changes not yet moved into the journal (`unfed`).
   */
  pending: number;
  /** Of `pending`, the writes still in the primary's change log (0 without one). */
  unfed: number;
  /** Age of the oldest pending entry in milliseconds, or null when none is pending. */
  oldestPendingAgeMs: number | null;
  deadLetters: number;
  /** The latest failure talking to the replica (no secrets), or null. */
  lastError: string | null;
  /**
   * The journal that feeds the primary's change log when it is not this service's (its claim's holder:
   * id, host and file); null while this service feeds it, or when the primary has no claims. This
   * service then delivers nothing itself: its writes reach the replica through that one.
   */
  fedBy: string | null;
  /** When the replica last acknowledged entries (ISO time), or null. */
  lastDeliveredAt: string | null;
}

/** What the journal does not know: the primary's side, and what the running process sees. */
export interface LiveState {
  /** The primary's change log, owed to every replica. */
  unfed?: ChangeBacklog | null;
  /** Overrides the stored last error when known. */
  liveError?: (replica: string) => string | null;
  /** The journal feeding the change log when it is another one (see ReplicaStatus.fedBy). */
  fedBy?: string | null;
}

/** Reads the backlog from the journal and adds what `live` knows. */
export function replicaStatus(
  journal: Journal,
  replicas: readonly string[],
  live: LiveState = {},
): ReplicaStatus[] {
  return statusOf(journal.backlog(replicas), live);
}

/** The same without a journal (none exists yet): only the primary's change log can be owed. */
export function replicaStatusWithoutJournal(
  replicas: readonly string[],
  unfed: ChangeBacklog | null,
): ReplicaStatus[] {
  const empty = (replica: string): ReplicaBacklog => ({
    replica,
    pending: 0,
    oldestPendingMs: null,
    deadLetters: 0,
    lastError: null,
    lastErrorMs: null,
    lastDeliveredMs: null,
  });
  return statusOf(replicas.map(empty), { unfed });
}

function statusOf(
  backlogs: readonly ReplicaBacklog[],
  { unfed = null, liveError = () => null, fedBy = null }: LiveState,
): ReplicaStatus[] {
  const now = Date.now();
  const unfedCount = unfed?.count ?? 0;
  return backlogs.map((b) => {
    const oldest = earliest(b.oldestPendingMs, unfedCount > 0 ? (unfed?.oldestMs ?? null) : null);
    return {
      replica: b.replica,
      pending: b.pending + unfedCount,
      unfed: unfedCount,
      oldestPendingAgeMs: oldest === null ? null : Math.max(0, now - oldest),
      deadLetters: b.deadLetters,
      lastError: liveError(b.replica) ?? b.lastError,
      lastDeliveredAt: b.lastDeliveredMs === null ? null : new Date(b.lastDeliveredMs).toISOString(),
      fedBy,
    };
  });
}

function earliest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  return b === null ? a : Math.min(a, b);
}
