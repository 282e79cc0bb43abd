import { BatchError, isStorageError, type Logger, scrubSecrets } from "@vcon/storage-core";
import type { StorageHandle } from "../storages/handle.js";
import { BackgroundLoop, IDLE_POLL_MS } from "./background-loop.js";
import { backoffDelay } from "./backoff.js";
import type { Delivery, Journal } from "./journal.js";
import type { ReplicationSettings } from "./settings.js";
/** How long an idle channel, woken by a write, waits for more before it delivers. */
export const GATHER_MS = 5;
/** After this many failed rounds in a row the replica is closed and opened afresh (a wedged driver). */
export const REOPEN_AFTER_FAILURES = 5;

export interface ChannelOptions {
  journal: Journal;
  replica: StorageHandle;
  settings: ReplicationSettings;
  logger: Logger;
  secrets: readonly string[];
  /** Aborted when the replicator stops. */
  stopped: AbortSignal;
  /** True while this process holds the journal's replicator lease. */
  leased: () => boolean;
}

/** What one round did: the replica answered, was down, or there was nothing to do. */
type Round = "delivered" | "down" | "idle";

/**
 * Delivers one replica's journal entries, oldest first, one state per uuid per round: a later entry
 * for a uuid supersedes earlier ones, so a delete acknowledged after a save stays deleted. Saves are
 * upserts and deletes are deletes, so a delivery repeated after a crash changes nothing. Entries
 * leave the journal only after the replica acknowledged them.
 */
export class DeliveryChannel extends BackgroundLoop {
  readonly #o: ChannelOptions;
  #failures = 0;
  #lastError: string | null = null;

  constructor(options: ChannelOptions) {
    super(options.stopped);
    this.#o = options;
  }

  get replica(): string {
    return this.#o.replica.name;
  }

  /** The latest failure talking to the replica, scrubbed; null after a successful round. */
  get lastError(): string | null {
    return this.#lastError;
  }

  protected async run(): Promise<void> {
    const { stopped, settings } = this.#o;
    while (!stopped.aborted) {
      let round: Round;
      try {
        round = this.#o.leased() ? await this.#round() : "idle";
      } catch (error) {
        // The journal itself failed (disk full, ...): say so and try again later.
        this.#o.logger.error({ err: error, storage: this.replica }, "replication journal failed");
        round = "down";
      }
      if (stopped.aborted) break;
      if (round === "down") {
        // New writes do not cut the backoff short: a replica that is down is not hammered.
        await this.wakeup.pause(backoffDelay(this.#failures++, settings.retryInitialMs, settings.retryMaxMs));
        if (this.#failures % REOPEN_AFTER_FAILURES === 0) await this.#o.replica.reopen();
      } else if (round === "idle") {
        // Woken by a new write: wait a moment so one round carries the writes of many requests.
        if (await this.wakeup.wait(IDLE_POLL_MS)) await this.wakeup.pause(GATHER_MS);
      }
    }
  }

  async #round(): Promise<Round> {
    const { journal, settings } = this.#o;
    const batch = journal.deliverable(this.replica, settings.batchSize);
    if (batch.length === 0) return "idle";
    let storage: Awaited<ReturnType<StorageHandle["get"]>>;
    try {
      storage = await this.#o.replica.get();
    } catch (error) {
      await this.#noteDown(error, "could not be opened");
      return "down";
    }

    const latest = coalesce(batch);
    const saves = latest.filter((d) => d.op === "save");
    const deletes = latest.filter((d) => d.op === "delete");
    const acknowledged: Delivery[] = [];

    // Saves in one batch when the replica can; one by one otherwise, or to find the refused one.
    let singly = saves;
    if (saves.length > 1 && storage.supports("saveMany")) {
      try {
        await storage.saveMany(saves.map((d) => d.body!));
        acknowledged.push(...saves);
        singly = [];
      } catch (error) {
        if (isOutage(error)) {
          if (error instanceof BatchError) await this.#acknowledge(landedOf(saves, error));
          await this.#noteDown(error, "is unavailable");
          return "down";
        }
      }
    }
    for (const delivery of [...singly, ...deletes]) {
      try {
        if (delivery.op === "save") await storage.save(delivery.body!);
        else await storage.delete(delivery.uuid);
        acknowledged.push(delivery);
      } catch (error) {
        if (isOutage(error)) {
          await this.#acknowledge(acknowledged);
          await this.#noteDown(error, "is unavailable");
          return "down";
        }
        await this.#refused(delivery, error);
      }
    }
    await this.#acknowledge(acknowledged);
    if (this.#lastError !== null || this.#failures > 0) {
      this.#failures = 0;
      this.#lastError = null;
      await journal.noteReplicaError(this.replica, null);
    }
    return "delivered";
  }

  async #acknowledge(deliveries: readonly Delivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    await this.#o.journal.acknowledge(
      this.replica,
      deliveries.map((d) => ({ uuid: d.uuid, entryId: d.entryId })),
    );
  }

  /** A refusal for good becomes a dead letter; anything else is retried later, with backoff. */
  async #refused(delivery: Delivery, error: unknown): Promise<void> {
    const reason = this.#describe(error);
    if (isStorageError(error, "VALIDATION") || isStorageError(error, "NOT_SUPPORTED")) {
      this.#o.logger.warn(
        { storage: this.replica, deadLetter: delivery.deliveryId, code: (error as { code: string }).code },
        "replica refused a write for good: moved to the dead letters",
      );
      await this.#o.journal.deadLetter(this.replica, delivery, reason);
      return;
    }
    const { retryInitialMs, retryMaxMs } = this.#o.settings;
    const wait = backoffDelay(delivery.attempts, retryInitialMs, retryMaxMs);
    await this.#o.journal.postpone([delivery.deliveryId], reason, Date.now() + wait);
    await this.#note(reason);
  }

  async #noteDown(error: unknown, what: string): Promise<void> {
    const reason = `${this.replica} ${what}: ${this.#describe(error)}`;
    if (reason !== this.#lastError)
      this.#o.logger.warn({ storage: this.replica, err: error }, "replica unavailable: entries wait");
    await this.#note(reason);
  }

  async #note(reason: string): Promise<void> {
    if (reason === this.#lastError) return;
    this.#lastError = reason;
    await this.#o.journal.noteReplicaError(this.replica, reason);
  }

  #describe(error: unknown): string {
    const code = isStorageError(error) ? error.code : "INTERNAL";
    const message = error instanceof Error ? error.message : String(error);
    return `${code}: ${scrubSecrets(message, this.#o.secrets)}`;
  }
}

/** The newest delivery per uuid; the journal drops the older ones when it is acknowledged. */
function coalesce(batch: readonly Delivery[]): Delivery[] {
  const latest = new Map<string, Delivery>();
  for (const delivery of batch) latest.set(delivery.uuid, delivery);
  return [...latest.values()];
}

/** The replica cannot answer now (down, timed out, closed): the whole round waits. */
function isOutage(error: unknown): boolean {
  return isStorageError(error, "UNAVAILABLE") || isStorageError(error, "CLOSED");
}

function landedOf(saves: readonly Delivery[], error: BatchError): Delivery[] {
  return error.landed.flatMap((range) => saves.slice(range.start, range.end));
}
