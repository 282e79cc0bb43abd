import type { ChangeBacklog, ChangeClaim } from "@vcon/storage-core/adapter";

/** One recorded write: which uuid, and when. The state is read from the documents when the change is. */
export interface ChangeEntry {
  uuid: string;
  recordedMs: number;
}

/**
 * The memory adapter's change log (capability `changes`). It lives and dies with its adapter, like the
 * documents: "durable" here means for the life of the instance. Writes call `record` in the same
 * synchronous step that changes the Map, so no write lands without its change and a failed one records none.
 */
export class ChangeLog {
  #recording = false;
  #nextId = 1;
  #lastMs = 0;
  /** By id; a Map iterates in insertion order, which is id order. */
  #entries = new Map<string, ChangeEntry>();
  #claim: ChangeClaim | null = null;

  /** Off forgets what is pending and releases the claim. */
  setRecording(on: boolean): void {
    this.#recording = on;
    if (!on) {
      this.#entries.clear();
      this.#claim = null;
    }
  }

  /** Takes the claim when free or held by `consumer` (renewing it), or on `takeOver`; answers the holder. */
  claim(consumer: string, takeOver: boolean): ChangeClaim {
    if (this.#claim === null || this.#claim.holder === consumer || takeOver) {
      this.#claim = { holder: consumer, claimedMs: Math.max(Date.now(), this.#claim?.claimedMs ?? 0) };
    }
    return { ...this.#claim };
  }

  /** Records one change per uuid, when recording is on. */
  record(uuids: Iterable<string>): void {
    if (!this.#recording) return;
    // Never behind the previous change, so the lowest id is also the oldest (a clock can step back).
    this.#lastMs = Math.max(Date.now(), this.#lastMs);
    for (const uuid of uuids) this.#entries.set(String(this.#nextId++), { uuid, recordedMs: this.#lastMs });
  }

  /** Up to `limit` unacknowledged changes, lowest id first, with their ids. */
  read(limit: number): Array<[string, ChangeEntry]> {
    const read: Array<[string, ChangeEntry]> = [];
    for (const entry of this.#entries) {
      if (read.length === limit) break;
      read.push(entry);
    }
    return read;
  }

  /** Forgets these changes; ids it does not hold are ignored. */
  acknowledge(ids: readonly string[]): void {
    for (const id of ids) this.#entries.delete(id);
  }

  backlog(): ChangeBacklog {
    const oldest = this.#entries.values().next();
    return { count: this.#entries.size, oldestMs: oldest.done ? null : oldest.value.recordedMs };
  }
}
