import { compareRecords, type IndexedRecord } from "@vcon/storage-core/adapter";

/**
 * The first `capacity` items in (created_at, uuid) order among those offered, in a sorted array:
 * a search keeps `limit + 1` candidates however many files it scans.
 */
export class BestRecords<T extends { record: IndexedRecord }> {
  readonly #sorted: T[] = [];

  constructor(readonly capacity: number) {}

  offer(item: T): void {
    const sorted = this.#sorted;
    if (sorted.length === this.capacity && compareRecords(item.record, sorted.at(-1)!.record) >= 0) return;
    sorted.splice(this.#insertionPoint(item.record), 0, item);
    if (sorted.length > this.capacity) sorted.pop();
  }

  get items(): readonly T[] {
    return this.#sorted;
  }

  /** Binary search for where `record` keeps the order. */
  #insertionPoint(record: IndexedRecord): number {
    let low = 0;
    let high = this.#sorted.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compareRecords(this.#sorted[mid]!.record, record) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
