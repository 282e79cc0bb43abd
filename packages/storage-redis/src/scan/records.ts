import {
  type IndexedRecord,
  matchesQuery,
  type NormalizedSearchQuery,
  type PartyKeys,
  vconSearchText,
  vconTags,
} from "@vcon/storage-core/adapter";
import type { Cluster, Redis } from "ioredis";
import type { Shard } from "../keys/layout.js";
import type { IndexMember } from "./index-pages.js";

/** What `<prefix>meta:<uuid>` holds; created_at lives in the index's score. */
export interface StoredMeta {
  subject: string | null;
  parties: PartyKeys[];
}

/** The filters a scan applies: a search query, or an export's time range. */
export type ScanFilter = Partial<Omit<NormalizedSearchQuery, "limit">>;

export interface LoadedPage {
  /** The members whose vCon matches the filter, in the page's order. */
  matching: IndexedRecord[];
  /** Members whose meta key is gone (expired or deleted): candidates for pruning. */
  expired: IndexMember[];
}

/**
 * Reads the meta keys of a page with one MGET and keeps the members that match. Text and tag filters
 * need the documents themselves: those are read (one more MGET) only for members that passed every
 * other filter, and matched with core's reference rules; nothing extra is stored for them.
 */
export async function loadPage(
  client: Redis | Cluster,
  shard: Shard,
  members: readonly IndexMember[],
  filter: ScanFilter,
): Promise<LoadedPage> {
  if (members.length === 0) return { matching: [], expired: [] };
  const metas = await client.mget(members.map((m) => shard.metaKey(m.uuid)));
  const expired: IndexMember[] = [];
  const candidates: IndexedRecord[] = [];
  const { text, tags, ...plain } = filter;
  members.forEach((member, index) => {
    const stored = metas[index];
    if (stored == null) {
      expired.push(member);
      return;
    }
    const meta = JSON.parse(stored) as StoredMeta;
    const record = { ...member, subject: meta.subject, parties: meta.parties };
    if (matchesQuery(record, plain)) candidates.push(record);
  });
  if (text === undefined && tags === undefined) return { matching: candidates, expired };
  return { matching: await matchContent(client, shard, candidates, { text, tags }), expired };
}

/** The candidates whose documents match the text and tag filters. */
async function matchContent(
  client: Redis | Cluster,
  shard: Shard,
  candidates: readonly IndexedRecord[],
  filter: Pick<ScanFilter, "text" | "tags">,
): Promise<IndexedRecord[]> {
  if (candidates.length === 0) return [];
  const documents = await client.mget(candidates.map((r) => shard.docKey(r.uuid)));
  const matching: IndexedRecord[] = [];
  candidates.forEach((record, index) => {
    const json = documents[index];
    // Expired between the two reads: gone.
    if (json == null) return;
    const document = JSON.parse(json) as Record<string, unknown>;
    const full = { ...record, text: vconSearchText(document), tags: vconTags(document) };
    if (matchesQuery(full, filter)) matching.push(record);
  });
  return matching;
}
