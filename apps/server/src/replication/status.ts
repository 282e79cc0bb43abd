import type { Journal } from "./journal.js";

/** One replica's replication state, as `/health`, the metrics and `replication status` show it. */
export interface ReplicaStatus {
  replica: string;
  /** Entries not yet acknowledged by the replica (dead letters excluded). */
  pending: number;
  /** Age of the oldest pending entry in milliseconds, or null when none is pending. */
  oldestPendingAgeMs: number | null;
  deadLetters: number;
  /** The latest failure talking to the replica (no secrets), or null. */
  lastError: string | null;
  /** When the replica last acknowledged entries (ISO time), or null. */
  lastDeliveredAt: string | null;
}

/** Reads the backlog from the journal; `liveError` overrides the stored last error when known. */
export function replicaStatus(
  journal: Journal,
  replicas: readonly string[],
  liveError: (replica: string) => string | null = () => null,
  now = Date.now(),
): ReplicaStatus[] {
  return journal.backlog(replicas).map((b) => ({
    replica: b.replica,
    pending: b.pending,
    oldestPendingAgeMs: b.oldestPendingMs === null ? null : Math.max(0, now - b.oldestPendingMs),
    deadLetters: b.deadLetters,
    lastError: liveError(b.replica) ?? b.lastError,
    lastDeliveredAt: b.lastDeliveredMs === null ? null : new Date(b.lastDeliveredMs).toISOString(),
  }));
}
