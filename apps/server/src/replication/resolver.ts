import { isStorageError, type Logger, type VconStorage } from "@vcon/storage-core";
import { BackgroundLoop, IDLE_POLL_MS } from "./background-loop.js";
import { backoffDelay } from "./backoff.js";
import type { Journal } from "./journal.js";
import type { KeyedLock } from "./keyed-lock.js";
import type { ReplicationSettings } from "./settings.js";

const BATCH = 200;

export interface ResolverOptions {
  journal: Journal;
  primary: VconStorage;
  /** The write path's lock: a uuid is settled while no write of it is in flight. */
  lock: KeyedLock;
  settings: ReplicationSettings;
  logger: Logger;
  stopped: AbortSignal;
  leased: () => boolean;
  /** Called after entries were settled (they are deliverable now). */
  settled: () => void;
}

/**
 * Settles entries whose primary outcome is unknown (the process died between the journal and the
 * primary, or the primary's answer was ambiguous) from the primary's own state: the document it
 * holds is replicated as a save, its absence as a delete. No document ever exists only in a replica.
 */
export class Resolver extends BackgroundLoop {
  readonly #o: ResolverOptions;
  #failures = 0;

  constructor(options: ResolverOptions) {
    super(options.stopped);
    this.#o = options;
  }

  /** Settles everything unresolved now; throws when the primary cannot answer. Returns how many. */
  async settleAll(): Promise<number> {
    const { journal } = this.#o;
    journal.recoverIntents();
    let settled = 0;
    for (;;) {
      const entries = journal.unresolved(BATCH);
      if (entries.length === 0) return settled;
      const byUuid = new Map<string, number[]>();
      for (const { id, uuid } of entries) byUuid.set(uuid, [...(byUuid.get(uuid) ?? []), id]);
      for (const [uuid, ids] of byUuid) {
        await this.#o.lock.with([uuid], async () => {
          const document = await this.#o.primary.get(uuid);
          await journal.resolve(
            ids,
            document ? "save" : "delete",
            document ? JSON.stringify(document) : null,
          );
        });
        settled += ids.length;
      }
      this.#o.settled();
    }
  }

  protected async run(): Promise<void> {
    const { stopped, settings, logger } = this.#o;
    while (!stopped.aborted) {
      let wait = IDLE_POLL_MS;
      try {
        if (this.#o.leased()) {
          const settled = await this.settleAll();
          if (settled > 0) logger.info({ settled }, "settled journal entries from the primary's state");
        }
        this.#failures = 0;
      } catch (error) {
        // The primary (or the journal) cannot answer: the entries wait, nothing is guessed.
        if (!isStorageError(error, "CLOSED"))
          logger.warn({ err: error }, "could not settle journal entries; retrying");
        wait = backoffDelay(this.#failures++, settings.retryInitialMs, settings.retryMaxMs);
      }
      await this.wakeup.wait(wait);
    }
  }
}
