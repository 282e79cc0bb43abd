import { compareRecords, type IndexedRecord } from "@vcon/storage-core/adapter";

/**
 * Merges sources that each yield records in (created_at, uuid) order, a batch at a time, into one
 * stream in that order (a k-way merge; the index shards of a cluster). A source is read only when its
 * buffered batch runs out, all of them at once at the start. Stopping early closes every source.
 */
export async function* mergeOrdered(
  sources: ReadonlyArray<AsyncIterator<IndexedRecord[]>>,
): AsyncGenerator<IndexedRecord> {
  if (sources.length === 1) {
    const only = sources[0]!;
    try {
      for (let next = await only.next(); !next.done; next = await only.next()) yield* next.value;
    } finally {
      await only.return?.();
    }
    return;
  }
  const heads = sources.map((source) => ({ source, batch: [] as IndexedRecord[], at: 0, done: false }));
  const refill = async (head: (typeof heads)[number]) => {
    while (!head.done && head.at >= head.batch.length) {
      const next = await head.source.next();
      if (next.done) head.done = true;
      else {
        head.batch = next.value;
        head.at = 0;
      }
    }
  };
  try {
    await Promise.all(heads.map(refill));
    for (;;) {
      let best: (typeof heads)[number] | undefined;
      for (const head of heads) {
        if (head.at >= head.batch.length) continue;
        if (!best || compareRecords(head.batch[head.at]!, best.batch[best.at]!) < 0) best = head;
      }
      if (!best) return;
      yield best.batch[best.at++]!;
      await refill(best);
    }
  } finally {
    await Promise.all(heads.map((head) => head.source.return?.()));
  }
}
