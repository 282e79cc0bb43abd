import { createHash } from "node:crypto";
import { shardTags } from "./slots.js";

/** The keys of one created_at index shard, and of the vCons it indexes: all in one hash slot on a cluster. */
export interface Shard {
  /** Sorted set: member uuid, score created_at in epoch ms. */
  readonly createdKey: string;
  /** The vCon's exact JSON text. */
  docKey(uuid: string): string;
  /** `{"subject", "parties"}`: what search filters on. */
  metaKey(uuid: string): string;
}

/** Where a storage's keys live: which shard a uuid belongs to, and every shard (for scans). */
export interface KeyLayout {
  readonly shards: readonly Shard[];
  shardOf(uuid: string): Shard;
}

function shard(base: string): Shard {
  return {
    createdKey: `${base}created`,
    docKey: (uuid) => `${base}doc:${uuid}`,
    metaKey: (uuid) => `${base}meta:${uuid}`,
  };
}

/** One server: `<prefix>doc:<uuid>`, `<prefix>meta:<uuid>`, `<prefix>created` (the 0.1 layout, unchanged). */
export function singleNodeLayout(prefix: string): KeyLayout {
  const only = shard(prefix);
  return { shards: [only], shardOf: () => only };
}

/**
 * A cluster: `<prefix>{<tag>}doc:<uuid>` and so on, the tag naming the uuid's shard, so a vCon's keys and
 * its index entry share one slot (its save script and delete are single-slot), while the shards spread
 * over the masters. The shard of a uuid is a hash of it, fixed for the life of the data: changing
 * `indexShards` later hides the vCons already stored.
 */
export function clusterLayout(prefix: string, count: number): KeyLayout {
  const shards = shardTags(count).map((tag) => shard(`${prefix}{${tag}}`));
  return {
    shards,
    shardOf: (uuid) => shards[createHash("sha1").update(uuid).digest().readUInt32BE(0) % count]!,
  };
}
