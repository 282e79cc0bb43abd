import { setTimeout as sleep } from "node:timers/promises";
import type { ChangeBacklog, Logger, VconStorage } from "@vcon/storage-core";
import type { StorageHandle } from "../storages/handle.js";
import { FeedClaim } from "./change-claim.js";
import { DeliveryChannel } from "./channel.js";
import { Feeder } from "./feeder.js";
import type { Journal } from "./journal.js";
import type { KeyedLock } from "./keyed-lock.js";
import { Resolver } from "./resolver.js";
import type { ReplicationSettings } from "./settings.js";
import { type ReplicaStatus, replicaStatus } from "./status.js";

export interface ReplicatorOptions {
  journal: Journal;
  primary: VconStorage;
  replicas: readonly StorageHandle[];
  lock: KeyedLock;
  settings: ReplicationSettings;
  logger: Logger;
  secrets: readonly string[];
  /** The primary records its writes in its change log (holding this much now): feed it into the journal. */
  changeLog: ChangeBacklog | null;
}

/** How often a process without the lease checks whether the holder is gone. */
const LEASE_CHECK_MS = 1000;
const DRAIN_POLL_MS = 25;
/** A drain gives up when nothing was delivered for this long. */
const DRAIN_STALL_MS = 2000;

/**
 * The background side of replication: feeds the primary's change log into the journal (when the
 * primary keeps one), settles unknown outcomes from the primary and delivers each replica's entries. Only the process holding the journal's lease delivers (a CLI import next to a
 * running server writes entries; the server delivers them).
 */
export class Replicator {
  readonly #o: ReplicatorOptions;
  readonly #stop = new AbortController();
  readonly #channels: DeliveryChannel[];
  readonly #resolver: Resolver;
  readonly #feeder: Feeder | null;
  /** With a change log: this journal's claim on it; its entries are delivered only while it holds it. */
  readonly #claim: FeedClaim | null;
  #leased = false;
  #leaseCheckedMs = 0;

  constructor(options: ReplicatorOptions) {
    this.#o = options;
    const common = {
      journal: options.journal,
      settings: options.settings,
      logger: options.logger,
      stopped: this.#stop.signal,
      leased: () => this.#holdsLease(),
    };
    this.#claim = options.changeLog ? new FeedClaim(options.primary, options.journal) : null;
    this.#channels = options.replicas.map(
      (replica) =>
        new DeliveryChannel({
          ...common,
          // Two journals delivering at once could leave a replica at an older state of a uuid.
          leased: () => this.#holdsLease() && (this.#claim?.mayDeliver() ?? true),
          replica,
          secrets: options.secrets,
        }),
    );
    this.#resolver = new Resolver({
      ...common,
      primary: options.primary,
      lock: options.lock,
      settled: () => this.wake(),
    });
    this.#feeder =
      options.changeLog && this.#claim
        ? new Feeder({
            backlog: options.changeLog,
            claim: this.#claim,
            ...common,
            primary: options.primary,
            replicas: options.replicas.map((replica) => replica.name),
            secrets: options.secrets,
            fed: () => this.wake(),
          })
        : null;
  }

  start(): void {
    this.#feeder?.start();
    this.#resolver.start();
    for (const channel of this.#channels) channel.start();
  }

  /** Confirmed entries were added: deliver them now. */
  wake(): void {
    for (const channel of this.#channels) channel.wake();
  }

  /** The primary committed `count` writes to its change log: feed them soon. */
  wrote(count: number): void {
    this.#feeder?.wrote(count);
  }

  /**
   * Moves everything in the primary's change log into the journal now (e.g. before `sync`), when this
   * process holds the lease (one feeder per journal keeps the entries in the order they were read).
   */
  async feed(): Promise<number> {
    if (!this.#feeder || !this.#holdsLease()) return 0;
    return this.#feeder.feedAll();
  }

  /** Unknown outcomes were recorded: settle them now. */
  wakeResolver(): void {
    this.#resolver.wake();
  }

  /** Settles every unresolved entry now (e.g. at start, or before `sync`). */
  settle(): Promise<number> {
    return this.#resolver.settleAll();
  }

  /** Per replica: backlog from the journal (and the primary's change log) plus the live last error. */
  status(): ReplicaStatus[] {
    const names = this.#channels.map((c) => c.replica);
    const unfed = this.#feeder?.unfed ?? null;
    const liveError = (name: string) => {
      const channel = this.#channels.find((c) => c.replica === name);
      const handle = this.#o.replicas.find((r) => r.name === name);
      const openError = handle?.lastError;
      const feedError = this.#feeder?.lastError;
      return (
        channel?.lastError ??
        (openError ? `${name} could not be opened: ${openError.code}: ${openError.message}` : null) ??
        (feedError ? `the primary's change log could not be read: ${feedError}` : null)
      );
    };
    const fedBy = this.#claim?.foreign?.holder ?? null;
    return replicaStatus(this.#o.journal, names, { unfed, liveError, fedBy });
  }

  /**
   * Waits (at most `timeoutMs`, and while deliveries make progress) until no replica has anything
   * pending, so a short CLI run delivers what it wrote before it exits. Returns at once when another process holds the
   * lease (that process delivers). Resolves with the status at the end.
   */
  async drain(timeoutMs: number): Promise<{ delivering: boolean; status: ReplicaStatus[] }> {
    this.#leaseCheckedMs = 0;
    if (!this.#holdsLease()) return { delivering: false, status: this.status() };
    this.wake();
    this.wakeResolver();
    this.#feeder?.wake();
    const deadline = Date.now() + timeoutMs;
    let least = Number.POSITIVE_INFINITY;
    let progressAt = Date.now();
    for (;;) {
      const status = this.status();
      const pending = status.reduce((sum, r) => sum + r.pending, 0);
      if (pending < least) {
        least = pending;
        progressAt = Date.now();
      }
      // Done, out of time, or stuck (a replica or the primary is down): the rest waits in the journal.
      const stalled = Date.now() - progressAt > DRAIN_STALL_MS;
      if (pending === 0 || stalled || Date.now() >= deadline) return { delivering: true, status };
      await sleep(DRAIN_POLL_MS);
    }
  }

  /** Stops delivering after the round in flight; what is left stays in the journal. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.all([this.#feeder?.done(), this.#resolver.done(), ...this.#channels.map((c) => c.done())]);
  }

  #holdsLease(): boolean {
    const now = Date.now();
    if (this.#leased || now - this.#leaseCheckedMs < LEASE_CHECK_MS) return this.#leased;
    this.#leaseCheckedMs = now;
    this.#leased = this.#o.journal.claimLease();
    if (this.#leased) this.#o.logger.info({ journal: this.#o.journal.file }, "replicating from the journal");
    return this.#leased;
  }
}
