import {
  compareRecords,
  type IndexedRecord,
  matchesQuery,
  type NormalizedExportOptions,
  type VconDocument,
} from "@vcon/storage-core/adapter";
import { pMapIterable } from "p-map";
import type { StoreLayout } from "../fs/layout.js";
import { readDocument } from "../fs/read.js";
import { type ScanOptions, scanStore } from "../fs/scan.js";

/**
 * A scan: indexes every file (keeping only each match's created_at and uuid), sorts, then reads the
 * matching files in that order, `concurrency` at a time. A file deleted since the scan is left out;
 * one changed is read as it is when its turn comes.
 */
export async function* exportFiles(
  layout: StoreLayout,
  options: NormalizedExportOptions,
  scan: ScanOptions,
): AsyncGenerator<VconDocument> {
  const { signal } = options;
  const order: IndexedRecord[] = [];
  for await (const { record } of scanStore(layout, { ...scan, signal })) {
    if (matchesQuery(record, options))
      order.push({ uuid: record.uuid, createdAtMs: record.createdAtMs, subject: null, parties: [] });
  }
  if (signal.aborted) return;
  order.sort(compareRecords);
  const documents = pMapIterable(order, (record) => readDocument(layout.pathOf(record.uuid)), {
    concurrency: scan.concurrency,
  });
  for await (const document of documents) {
    if (signal.aborted) return;
    if (document) yield document;
  }
}
