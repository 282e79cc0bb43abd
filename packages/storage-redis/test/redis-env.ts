import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * Whether a Redis answers at REDIS_URL. Without one, tests skip with the reason, except under CI=true
 * where a missing Redis must fail the run.
 */
export async function probeRedis(): Promise<string | null> {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 1500,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.ping();
    return null;
  } catch (error) {
    const reason = `no Redis at REDIS_URL (${(error as Error).message})`;
    if (process.env.CI === "true") throw new Error(`CI=true and ${reason}`);
    return reason;
  } finally {
    client.disconnect();
  }
}

/** A key prefix no other test file uses. */
export function uniquePrefix(label: string): string {
  return `vcon-test:${label}:${randomBytes(6).toString("hex")}:`;
}

/** Deletes every key under `prefix` (SCAN + DEL). */
export async function deleteKeys(prefix: string): Promise<void> {
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = "0";
    do {
      const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== "0");
  } finally {
    client.disconnect();
  }
}
