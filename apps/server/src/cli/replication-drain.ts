import type { StorageSet } from "../storages/storage-set.js";

/** How long a CLI command waits for its writes to reach the replicas before it exits. */
export const CLI_DRAIN_MS = 30_000;

/**
 * Before a CLI command exits: deliver what it queued for the replicas (bounded), and say on stderr
 * what still waits in the journal and who delivers it. Nothing is lost either way: the entries stay.
 */
export async function drainReplication(storages: StorageSet, timeoutMs = CLI_DRAIN_MS): Promise<void> {
  const { delivering, waiting } = await storages.drain(timeoutMs);
  for (const replica of waiting) {
    const who = delivering
      ? "delivered by the next `vcon-server serve`"
      : "the running service holds the journal and delivers them";
    const why = replica.lastError ? ` (${replica.lastError})` : "";
    process.stderr.write(
      `replication: ${replica.pending} entr(y/ies) wait in the journal for ${replica.replica}${why}; ${who}\n`,
    );
  }
}
