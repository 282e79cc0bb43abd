import { EPOCH_MS, makeDocs } from "../documents.js";
import type { TimeRange, Workload } from "../workload.js";
import { DATASET_SERIES } from "./series.js";

const LOAD_CHUNK = 10_000;

/** Writes the search/export dataset (documents 0..count-1 of the dataset series) in chunks. */
export async function loadDataset(
  workloads: readonly Workload[],
  seed: number,
  count: number,
): Promise<void> {
  for (let from = 0; from < count; from += LOAD_CHUNK) {
    const docs = makeDocs("2KB", seed, DATASET_SERIES, Math.min(LOAD_CHUNK, count - from), from);
    for (const workload of workloads) await workload.saveBatch(docs);
  }
}

/** The dataset's created_at span cut into `parts` ranges that together cover every document once. */
export function exportRanges(count: number, parts: number): TimeRange[] {
  const step = Math.ceil(count / parts);
  return Array.from({ length: parts }, (_, i) => ({
    since: new Date(EPOCH_MS + i * step * 1000),
    until: new Date(EPOCH_MS + Math.min(count, (i + 1) * step) * 1000),
  }));
}
