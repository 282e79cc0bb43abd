/**
 * The uuids this storage wrote or deleted lately, so that reading one of them goes to the primary
 * (read-your-writes) while a replica may not have replayed the write yet.
 *
 * Bounded: past `capacity` entries the oldest is dropped, and since that uuid may still be unreplayed,
 * every uuid then counts as recent until the dropped entry would have expired. Under a write burst
 * larger than the bound, reads of single documents simply go to the primary for a while: never stale.
 */
export class RecentWrites {
  readonly #windowMs: number;
  readonly #capacity: number;
  readonly #now: () => number;
  /** uuid → when it stops counting as recent. Re-inserted on each write, so oldest first. */
  readonly #expiries = new Map<string, number>();
  /** Until then every uuid counts as recent (an entry was dropped before it expired). */
  #allUntil = 0;

  constructor(windowMs: number, capacity: number, now: () => number = Date.now) {
    this.#windowMs = windowMs;
    this.#capacity = capacity;
    this.#now = now;
  }

  /** Called when a write of `uuid` starts and again when it ends: the window counts from the last call. */
  note(uuid: string): void {
    const now = this.#now();
    this.#expiries.delete(uuid);
    this.#expiries.set(uuid, now + this.#windowMs);
    for (const [oldest, expiry] of this.#expiries) {
      if (expiry > now && this.#expiries.size <= this.#capacity) break;
      this.#expiries.delete(oldest);
      if (expiry > now) this.#allUntil = Math.max(this.#allUntil, expiry);
    }
  }

  /** True when a replica might not have `uuid`'s latest write or delete yet. */
  has(uuid: string): boolean {
    const now = this.#now();
    if (now < this.#allUntil) return true;
    const expiry = this.#expiries.get(uuid);
    if (expiry === undefined) return false;
    if (expiry > now) return true;
    this.#expiries.delete(uuid);
    return false;
  }

  get size(): number {
    return this.#expiries.size;
  }
}
