import { Redis } from "ioredis";
import { openStorage, storageWorkload } from "../adapter-workload.js";
import type { Workload } from "../workload.js";
import { rawRedisWorkload } from "./raw-redis.js";
import type { TargetSettings } from "./settings.js";
import type { Side, Target } from "./target.js";

// Databases of their own, so raw and adapter never see each other's keys and FLUSHDB is safe.
const RAW_DB = 14;
const ADAPTER_DB = 15;

/** The options @vcon/storage-redis takes. */
export function redisOptions(url: string): Record<string, unknown> {
  return { url };
}

function withDb(url: string, db: number): string {
  const parsed = new URL(url);
  parsed.pathname = `/${db}`;
  return parsed.toString();
}

async function flush(url: string): Promise<void> {
  const redis = new Redis(url);
  try {
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}

export function redisTarget(settings: TargetSettings): Target {
  const rawUrl = withDb(settings.redisUrl, RAW_DB);
  const adapterUrl = withDb(settings.redisUrl, ADAPTER_DB);
  return {
    name: "redis",
    adapter: `@vcon/storage-redis (ioredis, database ${ADAPTER_DB})`,
    baseline:
      `ioredis on database ${RAW_DB}: SET/GET of the JSON text (+ JSON.parse); batch = pipelined SETs, 1000 per ` +
      "round trip; export = SCAN + MGET + JSON.parse filtered by created_at (unordered); no raw tel search",
    counts: { batch: settings.scale.batch, dataset: settings.scale.smallDataset },
    persistent: true,
    async setup() {
      await flush(rawUrl);
      await flush(adapterUrl);
    },
    async open(side: Side): Promise<Workload> {
      if (side === "raw") return rawRedisWorkload(rawUrl);
      const storage = await openStorage({ adapter: "redis", options: redisOptions(adapterUrl) });
      return storageWorkload(storage, () => flush(adapterUrl));
    },
    async teardown() {
      await flush(rawUrl).catch(() => {});
      await flush(adapterUrl).catch(() => {});
    },
  };
}
