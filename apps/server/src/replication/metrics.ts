import { Gauge, type Registry } from "prom-client";
import type { ReplicaStatus } from "./status.js";

/**
 * Replication gauges, read from the journal at each scrape: per replica, entries pending, the age
 * of the oldest, dead letters, and whether its last round failed.
 */
export function registerReplicationMetrics(registry: Registry, status: () => ReplicaStatus[]): void {
  const gauge = (name: string, help: string, value: (r: ReplicaStatus) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ["replica"] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const replica of status()) this.set({ replica: replica.replica }, value(replica));
      },
    });
  gauge("vcon_replication_pending", "Writes not yet acknowledged by the replica", (r) => r.pending);
  gauge(
    "vcon_replication_unfed",
    "Of the pending writes, those still in the primary's change log (not in the journal yet)",
    (r) => r.unfed,
  );
  gauge(
    "vcon_replication_oldest_pending_age_seconds",
    "Age of the replica's oldest pending entry (0 when none)",
    (r) => (r.oldestPendingAgeMs ?? 0) / 1000,
  );
  gauge("vcon_replication_dead_letters", "Entries the replica refused for good", (r) => r.deadLetters);
  gauge("vcon_replication_failing", "1 while the replica's last delivery round failed", (r) =>
    r.lastError ? 1 : 0,
  );
  gauge(
    "vcon_replication_fed_elsewhere",
    "1 while another service's journal feeds the primary's change log (this one delivers nothing)",
    (r) => (r.fedBy ? 1 : 0),
  );
}
