/**
 * Search and export for adapters that keep their documents (or an index of them) in memory and answer
 * by scanning: the reference semantics in one place, so memory, sample and test adapters cannot drift.
 */
import type { NormalizedSearchQuery, SearchPage } from "./adapter.js";
import type { PreparedVcon } from "./document.js";
import { compareRecords, cursorOf, type IndexedRecord, matchesQuery } from "./query.js";
import { searchTextOf, tagsOf } from "./search-text.js";
import type { VconDocument } from "./types.js";

/** An indexed record that also holds the stored JSON text, so every read parses a fresh copy. */
export interface ScanRecord extends IndexedRecord {
  json: string;
}

/**
 * The contract's created_at rule: a vCon's own created_at when it has one; else, on an update, the
 * stored document's (an update without created_at keeps its place in the order); else `now`.
 */
export function createdAtMsFor(
  vcon: Pick<PreparedVcon, "createdAtMs">,
  storedCreatedAtMs: number | null | undefined,
  now: () => number = Date.now,
): number {
  return vcon.createdAtMs ?? storedCreatedAtMs ?? now();
}

/** Which optional search keys a scan record keeps: only what the adapter's declared filters need. */
export interface ScanRecordKeys {
  /** Keep `vconSearchText` pieces, for adapters that declare `searchText`. */
  text?: boolean;
  /** Keep `vconTags`, for adapters that declare `searchTags`. */
  tags?: boolean;
}

/**
 * The record to keep for a saved vCon, following the created_at rule against `stored` (the record it
 * replaces, if any). Copies what it needs: nothing refers to the caller's document afterwards.
 */
export function toScanRecord(
  vcon: PreparedVcon,
  stored?: Pick<IndexedRecord, "createdAtMs"> | null,
  keys: ScanRecordKeys = {},
): ScanRecord {
  const record: ScanRecord = {
    uuid: vcon.uuid,
    json: vcon.json,
    createdAtMs: createdAtMsFor(vcon, stored?.createdAtMs),
    subject: vcon.subject,
    parties: vcon.parties,
  };
  if (keys.text) record.text = searchTextOf(vcon);
  if (keys.tags) record.tags = tagsOf(vcon);
  return record;
}

/** The records matching `query` (filters, time range, cursor), in (created_at, uuid) order. */
export function scanMatches<R extends IndexedRecord>(
  records: Iterable<R>,
  query: Parameters<typeof matchesQuery>[1],
): R[] {
  const matches: R[] = [];
  for (const record of records) if (matchesQuery(record, query)) matches.push(record);
  return matches.sort(compareRecords);
}

/** One page of a search over in-memory records: fresh copies, and a cursor when more match. */
export function scanSearch(records: Iterable<ScanRecord>, query: NormalizedSearchQuery): SearchPage {
  const matches = scanMatches(records, query);
  const page = matches.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((record) => JSON.parse(record.json) as VconDocument),
    nextCursor: matches.length > query.limit && last ? cursorOf(last) : null,
  };
}
