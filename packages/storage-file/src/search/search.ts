import {
  cursorOf,
  matchesQuery,
  type NormalizedSearchQuery,
  type SearchPage,
} from "@vcon/storage-core/adapter";
import pMap from "p-map";
import type { StoreLayout } from "../fs/layout.js";
import { readDocument } from "../fs/read.js";
import { type ScannedFile, type ScanOptions, scanStore } from "../fs/scan.js";
import { BestRecords } from "./best-records.js";

/**
 * A scan: reads and indexes every file (O(n) reads per call), keeping only the best `limit + 1`
 * records, then reads the page's documents again.
 */
export async function searchFiles(
  layout: StoreLayout,
  query: NormalizedSearchQuery,
  scan: ScanOptions,
): Promise<SearchPage> {
  const best = new BestRecords<ScannedFile>(query.limit + 1);
  const fields = { text: query.text !== undefined, tags: query.tags !== undefined };
  for await (const file of scanStore(layout, { ...scan, fields })) {
    if (matchesQuery(file.record, query)) best.offer(file);
  }
  const page = best.items.slice(0, query.limit);
  const documents = await pMap(page, (file) => readDocument(file.path), { concurrency: scan.concurrency });
  const last = page.at(-1);
  return {
    // A file deleted since the scan is left out.
    items: documents.filter((document) => document !== null),
    nextCursor: best.items.length > query.limit && last ? cursorOf(last.record) : null,
  };
}
