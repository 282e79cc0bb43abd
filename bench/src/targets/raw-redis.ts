import { Redis } from "ioredis";
import type { Workload } from "../workload.js";

const PREFIX = "vcon:";
const PIPELINE = 1000;

/**
 * The raw baseline on Redis: ioredis SET/GET of the JSON text; batch = pipelined SETs, 1000 per round
 * trip; export = SCAN + MGET + JSON.parse, filtered by created_at. There is no raw tel search: Redis
 * has none without an index the application builds itself.
 */
export function rawRedisWorkload(url: string): Workload {
  const redis = new Redis(url);
  return {
    async save(doc) {
      await redis.set(PREFIX + doc.uuid, JSON.stringify(doc.vcon));
    },
    async get(uuid) {
      const json = await redis.get(PREFIX + uuid);
      return json === null ? null : JSON.parse(json);
    },
    async saveBatch(docs) {
      for (let i = 0; i < docs.length; i += PIPELINE) {
        const pipeline = redis.pipeline();
        for (const doc of docs.slice(i, i + PIPELINE))
          pipeline.set(PREFIX + doc.uuid, JSON.stringify(doc.vcon));
        await pipeline.exec();
      }
    },
    async exportRange(range) {
      let count = 0;
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", `${PREFIX}*`, "COUNT", PIPELINE);
        cursor = next;
        if (keys.length === 0) continue;
        for (const json of await redis.mget(keys)) {
          if (json === null) continue;
          const at = Date.parse((JSON.parse(json) as { created_at: string }).created_at);
          if (at >= range.since.getTime() && at < range.until.getTime()) count++;
        }
      } while (cursor !== "0");
      return count;
    },
    async clear() {
      await redis.flushdb();
    },
    async close() {
      redis.disconnect();
    },
  };
}
