import {
  type ChangeBacklog,
  isStorageError,
  type Logger,
  scrubSecrets,
  toStorageError,
  type VconStorage,
} from "@vcon/storage-core";
import { BackgroundLoop, IDLE_POLL_MS } from "./background-loop.js";
import { backoffDelay } from "./backoff.js";
import type { FeedClaim } from "./change-claim.js";
import type { Journal, RecordedWrite } from "./journal.js";
import type { ReplicationSettings } from "./settings.js";

/**
 * The least time between a write and the read of the change log that feeds it: each read then carries
 * the writes of many requests, and the primary answers one query per interval instead of one per
 * write. Replicas trail the primary by about this much; 100 ms measured a little cheaper than 20 ms at
 * 16 callers (bench/results/service-quick.md), within the bench's noise.
 */
export const FEED_SPACING_MS = 100;
/** Most changes one read of the change log takes (one journal commit carries them all). */
export const FEED_BATCH = 500;

export interface FeederOptions {
  /** What the change log held when the service started (shown as pending until the first round). */
  backlog: ChangeBacklog;
  journal: Journal;
  /** This journal's claim on the change log: renewed before every round, which runs only while held. */
  claim: FeedClaim;
  /** The primary, recording its writes in its change log (`recordChanges(true)` was called). */
  primary: VconStorage;
  replicas: readonly string[];
  settings: ReplicationSettings;
  logger: Logger;
  secrets: readonly string[];
  stopped: AbortSignal;
  leased: () => boolean;
  /** Called after entries were added to the journal (they are deliverable now). */
  fed: () => void;
}

/**
 * Moves the primary's change log into the journal. The primary records each write in the write's own
 * transaction, so an acknowledged write is owed to the replicas from its commit on, with no journal
 * sync in series with it. Here, off the request path, each change becomes one confirmed entry per
 * replica carrying the uuid's current state, and only once those entries are durable is the change
 * acknowledged on the primary: a crash in between feeds it again, which is harmless (deliveries are
 * upserts and deletes of the current state).
 */
export class Feeder extends BackgroundLoop {
  readonly #o: FeederOptions;
  #failures = 0;
  /** Writes this process acknowledged since the current round's read began: not fed yet. */
  #writesSinceRead = 0;
  /** Changes left in the log after the last round (more than one batch), as the primary counted them. */
  #left: ChangeBacklog;
  #lastError: string | null = null;
  /**
   * The round in flight. Rounds never overlap: two reads recorded in the journal out of order would
   * let an older state overwrite a newer one on the replicas.
   */
  #current: Promise<unknown> = Promise.resolve();

  constructor(options: FeederOptions) {
    super(options.stopped);
    this.#o = options;
    this.#left = options.backlog;
  }

  /** The primary committed `count` writes: they are in its change log, feed them soon. */
  wrote(count: number): void {
    // Fed by another journal (at the last renewal): that one owes them, this one does not.
    if (this.#o.claim.foreign) return;
    this.#writesSinceRead += count;
    this.wake();
  }

  /** Changes committed on the primary and not in the journal yet, as far as this process knows. */
  get unfed(): ChangeBacklog {
    return {
      count: this.#left.count + this.#writesSinceRead,
      oldestMs: this.#left.oldestMs,
    };
  }

  /** The latest failure reading the change log, or null after a successful round. */
  get lastError(): string | null {
    return this.#lastError;
  }

  /** Feeds until the change log is empty; throws when the primary or the journal fails. Returns how many. */
  async feedAll(): Promise<number> {
    // Another journal's change log to feed: this one takes nothing from it.
    if (!(await this.#o.claim.renew())) return 0;
    let fed = 0;
    for (;;) {
      const { count, full } = await this.#round();
      fed += count;
      if (!full) return fed;
    }
  }

  protected async run(): Promise<void> {
    const { stopped, settings, logger } = this.#o;
    while (!stopped.aborted) {
      let full = false;
      let fedElsewhere = false;
      let wait = IDLE_POLL_MS;
      try {
        if (this.#o.leased()) {
          fedElsewhere = !(await this.#o.claim.renew());
          if (!fedElsewhere) ({ full } = await this.#round());
          else {
            // Another journal feeds the change log (status says which), this service's writes
            // included: this journal owes nothing.
            this.#writesSinceRead = 0;
            this.#left = { count: 0, oldestMs: null };
          }
        }
        this.#failures = 0;
        this.#lastError = null;
      } catch (error) {
        // The primary or the journal cannot answer: the changes wait in the primary's log.
        if (isStorageError(error, "CLOSED")) break;
        const { code, message } = toStorageError(error, { storage: this.#o.primary.name });
        this.#lastError = `${code}: ${scrubSecrets(message, this.#o.secrets)}`;
        logger.warn({ err: error }, "could not feed the primary's change log into the journal; retrying");
        wait = backoffDelay(this.#failures++, settings.retryInitialMs, settings.retryMaxMs);
        await this.wakeup.pause(wait);
        continue;
      }
      if (full) continue;
      // Fed elsewhere: ask again later, whatever the writes.
      if (fedElsewhere) {
        await this.wakeup.pause(IDLE_POLL_MS);
        continue;
      }
      // Woken by a write: feed after a short spacing so one read carries many writes.
      if (await this.wakeup.wait(wait)) await this.wakeup.pause(FEED_SPACING_MS);
    }
  }

  #round(): Promise<{ count: number; full: boolean }> {
    const round = this.#current.then(() => this.#feedOnce());
    this.#current = round.catch(() => {});
    return round;
  }

  async #feedOnce(): Promise<{ count: number; full: boolean }> {
    const { primary, journal, replicas } = this.#o;
    // Every write acknowledged before this read is visible to it.
    const seen = this.#writesSinceRead;
    const changes = await primary.readChanges!(FEED_BATCH);
    const full = changes.length === FEED_BATCH;
    if (changes.length > 0) {
      // One read sees one state per uuid: a uuid changed twice needs one entry, not two.
      const latest = new Map<string, RecordedWrite>();
      for (const change of changes) {
        const earlier = latest.get(change.uuid);
        latest.delete(change.uuid);
        latest.set(change.uuid, {
          uuid: change.uuid,
          op: change.json === null ? "delete" : "save",
          body: change.json,
          // The entry is as old as the first write it stands for.
          recordedMs: Math.min(earlier?.recordedMs ?? change.recordedMs, change.recordedMs),
        });
      }
      await journal.record([...latest.values()], replicas);
    }
    // Counted as unfed until the journal holds them: the backlog never dips below the truth.
    this.#writesSinceRead = Math.max(0, this.#writesSinceRead - seen);
    if (changes.length > 0) {
      this.#o.fed();
      await primary.acknowledgeChanges!(changes.map((change) => change.id));
    }
    this.#left = full ? await primary.pendingChanges!() : { count: 0, oldestMs: null };
    return { count: changes.length, full };
  }
}
