import { BatchError, isStorageError, type PreparedVcon, type VconStorage } from "@vcon/storage-core";
import type { Journal, JournalWrite } from "../replication/journal.js";
import type { KeyedLock } from "../replication/keyed-lock.js";
import { failedOutcome, StorageFailure, type StorageOutcome } from "./outcome.js";

export interface WriteReport {
  uuids: string[];
  storages: StorageOutcome[];
}

export interface DeleteReport {
  deleted: boolean;
  storages: StorageOutcome[];
}

export interface WritePathOptions {
  primary: VconStorage;
  /** Replica names; none means no journal. */
  replicas: readonly string[];
  journal: Journal | null;
  /**
   * The primary records every write in its own change log (its transaction holds the replicas'
   * entry): writes then skip the journal and call this with how many uuids they committed.
   */
  changeLog: ((committed: number) => void) | null;
  lock: KeyedLock;
  secrets: readonly string[];
  /** Entries were confirmed: the replicator may deliver them. */
  confirmed: () => void;
  /** Entries were left unresolved: the replicator settles them from the primary's state. */
  unresolved: () => void;
}

/**
 * The replicated write. With the primary's change log: the primary alone (its commit holds the change
 * the feeder moves into the journal). Without it: (1) an intent entry per replica, durable in the
 * journal; (2) the primary; (3) the entries confirmed; the caller's answer waits for (1) and (2) only,
 * and an entry left unconfirmed by a crash is settled from the primary's state at the next start.
 * Either way the acknowledgement never depends on a replica, and if the primary fails, nothing is
 * written anywhere.
 */
export class WritePath {
  readonly #o: WritePathOptions;

  constructor(options: WritePathOptions) {
    this.#o = options;
  }

  /** Saves already-checked vCons: the primary first, the replicas through the journal. */
  async save(prepared: readonly PreparedVcon[]): Promise<WriteReport> {
    const uuids = prepared.map((p) => p.uuid);
    const writes = prepared.map((p): JournalWrite => ({ uuid: p.uuid, op: "save", body: p.json }));
    const primary = await this.#replicated(uuids, writes, () => this.#savePrimary(prepared));
    return { uuids, storages: [primary, ...this.#queued(prepared.length)] };
  }

  async delete(uuid: string): Promise<DeleteReport> {
    const write: JournalWrite = { uuid, op: "delete", body: null };
    const primary = await this.#replicated([uuid], [write], async () => {
      const deleted = await this.#o.primary.delete(uuid);
      return { storage: this.#o.primary.name, ok: true, deleted };
    });
    return { deleted: primary.deleted === true, storages: [primary, ...this.#queued(1)] };
  }

  async #replicated(
    uuids: readonly string[],
    writes: readonly JournalWrite[],
    writePrimary: () => Promise<StorageOutcome>,
  ): Promise<StorageOutcome> {
    const { journal, replicas, lock, changeLog } = this.#o;
    if (!journal || replicas.length === 0) return this.#orFail(writePrimary);
    if (changeLog) {
      const outcome = await this.#orFail(writePrimary);
      changeLog(uuids.length);
      return outcome;
    }
    return lock.with(uuids, async () => {
      let ids: number[];
      try {
        ids = await journal.append(writes, replicas);
      } catch (error) {
        // Without a durable entry the replicas could miss the write: refuse it, write nothing.
        throw this.#failure("journal", error);
      }
      try {
        const outcome = await this.#orFail(writePrimary);
        this.#settle(journal.confirm(ids), this.#o.confirmed);
        return outcome;
      } catch (error) {
        const cause = error instanceof StorageFailure ? error.cause : error;
        // A clear refusal wrote nothing; anything else may have committed (the connection can
        // die after the commit): the primary's own state decides later.
        if (isStorageError(cause) && !(cause instanceof BatchError) && isRefusal(cause.code))
          this.#settle(journal.discard(ids), () => {});
        else this.#settle(journal.markUnresolved(ids), this.#o.unresolved);
        throw error;
      }
    });
  }

  async #savePrimary(prepared: readonly PreparedVcon[]): Promise<StorageOutcome> {
    const { primary } = this.#o;
    // Core takes the prepared vCons as they are: checked once, by the caller.
    if (prepared.length > 1 && primary.supports("saveMany")) {
      const { saved } = await primary.saveMany(prepared);
      return { storage: primary.name, ok: true, saved };
    }
    for (const p of prepared) await primary.save(p);
    return { storage: primary.name, ok: true, saved: prepared.length };
  }

  /** The primary's outcome, or a StorageFailure naming it (with how much of a batch landed). */
  async #orFail(write: () => Promise<StorageOutcome>): Promise<StorageOutcome> {
    try {
      return await write();
    } catch (error) {
      if (isStorageError(error, "VALIDATION") && !(error instanceof BatchError)) throw error;
      throw this.#failure(this.#o.primary.name, error);
    }
  }

  #failure(storage: string, error: unknown): StorageFailure {
    const outcome = failedOutcome(storage, error, this.#o.secrets);
    if (error instanceof BatchError)
      outcome.saved = error.landed.reduce((sum, range) => sum + (range.end - range.start), 0);
    const untouched = storage === "journal" ? [this.#o.primary.name, ...this.#o.replicas] : this.#o.replicas;
    const notWritten = untouched.map(
      (name): StorageOutcome => ({
        storage: name,
        ok: false,
        message: "not written: the primary did not commit",
      }),
    );
    const failure = new StorageFailure(
      storage === "journal"
        ? `The replication journal could not record the write (${outcome.code}): nothing was written`
        : `The primary "${storage}" failed (${outcome.code}): the replicas get only what it committed`,
      [outcome, ...notWritten],
    );
    failure.cause = error;
    return failure;
  }

  /** Each replica's part of a successful write: durably queued, delivered in the background. */
  #queued(count: number): StorageOutcome[] {
    return this.#o.replicas.map((name) => ({ storage: name, ok: true, queued: count }));
  }

  /** Journal bookkeeping after the answer is decided; a failure here is settled at the next start. */
  #settle(done: Promise<void>, then: () => void): void {
    done.then(then, () => {});
  }
}

/** The primary refused the write as such: nothing was stored. */
function isRefusal(code: string): boolean {
  return code === "VALIDATION" || code === "NOT_SUPPORTED" || code === "CONFLICT";
}
