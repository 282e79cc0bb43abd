import type { IndexedRecord } from "@vcon/storage-core/adapter";
import { pMapIterable, pMapSkip } from "p-map";
import type { StoreLayout } from "./layout.js";
import { type IndexFields, indexStoredFile, readText } from "./read.js";
import { removeIfStale } from "./stale-temp.js";
import { type StoreEntry, walkStore } from "./walk.js";

/** A stored file, read and indexed. */
export interface ScannedFile {
  record: IndexedRecord;
  path: string;
}

export interface ScanOptions {
  /** Files read at once. */
  concurrency: number;
  staleTempMs: number;
  signal?: AbortSignal;
  /** Optional fields the records need (a text or tag query). */
  fields?: IndexFields;
}

/**
 * Every stored file, read and indexed `concurrency` at a time, in no particular order; memory holds at
 * most that many documents. Stale temp files met on the way are deleted. A damaged file ends the scan
 * with INTERNAL naming it: a scan never skips a document silently.
 */
export async function* scanStore(layout: StoreLayout, options: ScanOptions): AsyncGenerator<ScannedFile> {
  const { signal } = options;
  const files = pMapIterable(walkStore(layout), (entry) => visit(entry, options), {
    concurrency: options.concurrency,
    preserveOrder: false,
  });
  for await (const file of files) {
    if (signal?.aborted) return;
    yield file;
  }
}

async function visit(entry: StoreEntry, { staleTempMs, signal, fields }: ScanOptions) {
  if (entry.kind === "temp") {
    await removeIfStale(entry.path, staleTempMs);
    return pMapSkip;
  }
  if (signal?.aborted) return pMapSkip;
  const text = await readText(entry.path);
  if (text === null) return pMapSkip;
  const record = await indexStoredFile(entry.path, text, fields);
  return record ? { record, path: entry.path } : pMapSkip;
}
