import type { Shard } from "../keys/layout.js";
import type { ScriptedClient } from "../scripts/commands.js";
import type { IndexMember } from "./index-pages.js";

/**
 * Removes index members whose vCon is gone (expired), atomically with a check that it is still gone, so
 * a uuid saved again since the scan looked keeps its entry. Returns the uuids removed.
 */
export async function pruneMembers(
  client: ScriptedClient,
  shard: Shard,
  members: readonly IndexMember[],
): Promise<Set<string>> {
  if (members.length === 0) return new Set();
  const keys = [shard.createdKey, ...members.map((m) => shard.metaKey(m.uuid))];
  const removed = await client.vconStoragePrune(keys.length, ...keys, ...members.map((m) => m.uuid));
  return new Set(removed);
}
