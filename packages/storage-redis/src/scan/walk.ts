import { type IndexedRecord, parseVconDate } from "@vcon/storage-core/adapter";
import type { Shard } from "../keys/layout.js";
import type { ScriptedClient } from "../scripts/commands.js";
import { IndexPages, type ScoreRange } from "./index-pages.js";
import { pruneMembers } from "./prune.js";
import { loadPage, type ScanFilter } from "./records.js";

/**
 * The index range of a query: after its cursor, or from `since`, whichever is later, to `until`. Both
 * are checked again by matchesQuery; the range only saves reading what cannot match.
 */
export function rangeOf(filter: ScanFilter): ScoreRange {
  const since = filter.since?.getTime() ?? Number.NEGATIVE_INFINITY;
  const afterMs = filter.after ? parseVconDate(filter.after.createdAt) : null;
  const after =
    filter.after && afterMs !== null && afterMs >= since
      ? { uuid: filter.after.uuid, createdAtMs: afterMs }
      : null;
  return { after, min: since, maxExclusive: filter.until?.getTime() ?? Number.POSITIVE_INFINITY };
}

/**
 * The records of one shard that match `filter`, in (created_at, uuid) order, a page at a time.
 * Members whose vCon expired are removed from the index on the way (lazy cleanup).
 */
export async function* walkShard(
  client: ScriptedClient,
  shard: Shard,
  filter: ScanFilter,
  pageSize: number,
): AsyncGenerator<IndexedRecord[]> {
  const pages = new IndexPages(client, shard.createdKey, rangeOf(filter), pageSize);
  for (let page = await pages.next(); page; page = await pages.next()) {
    const { matching, expired } = await loadPage(client, shard, page.members, filter);
    if (expired.length > 0) await pruneMembers(client, shard, expired);
    if (matching.length > 0) yield matching;
    if (page.last) return;
  }
}

/** Walks a whole shard's index and removes the members whose vCon expired; returns how many. */
export async function pruneShard(client: ScriptedClient, shard: Shard, pageSize: number): Promise<number> {
  const pages = new IndexPages(client, shard.createdKey, rangeOf({}), pageSize);
  let removed = 0;
  for (let page = await pages.next(); page; page = await pages.next()) {
    const { expired } = await loadPage(client, shard, page.members, {});
    removed += (await pruneMembers(client, shard, expired)).size;
    if (page.last) break;
  }
  return removed;
}
