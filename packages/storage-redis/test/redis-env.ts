import { randomBytes } from "node:crypto";
import { redactUrl } from "@vcon/storage-core";
import { Redis } from "ioredis";
import { describe, it } from "vitest";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * What to do when the probe found no Redis: skip with the reason, except under CI=true, where a missing
 * Redis must fail the run. Returns the skip reason, or null when Redis answered.
 */
export function skipDecision(
  probeError: string | null,
  env: Record<string, string | undefined>,
  url = env.REDIS_URL ?? "redis://127.0.0.1:6379",
): string | null {
  if (probeError === null) return null;
  const reason = `no Redis at REDIS_URL ${redactUrl(url)} (${probeError})`;
  if (env.CI === "true") throw new Error(`CI=true and ${reason}: start Redis or set REDIS_URL`);
  return reason;
}

/** Whether a Redis answers at REDIS_URL: null when it does, else the skip reason (or a throw under CI). */
export async function probeRedis(url = REDIS_URL, env = process.env): Promise<string | null> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1500,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let socketError: string | null = null;
  client.on("error", (error: Error) => {
    socketError ??= error.message;
  });
  let problem: string | null = null;
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    // The socket's own error (e.g. ECONNREFUSED) says more than ioredis's "Connection is closed."
    problem = socketError ?? (error as Error).message;
  } finally {
    client.disconnect();
  }
  return skipDecision(problem, env, url);
}

/**
 * `describe` when Redis answers; otherwise a skipped suite whose title carries the reason, and the reason
 * printed once, so a run without Redis says why these tests did not run.
 */
export async function describeWithRedis(title: string, body: () => void): Promise<void> {
  const reason = await probeRedis();
  if (reason === null) {
    describe(title, body);
    return;
  }
  console.warn(`[storage-redis] ${title}: skipped, ${reason}`);
  describe.skip(`${title} (skipped: ${reason})`, () => {
    it("needs a Redis", () => {});
  });
}

/** A key prefix no other test file uses. */
export function uniquePrefix(label: string): string {
  return `vcon-test:${label}:${randomBytes(6).toString("hex")}:`;
}

/** A raw client on REDIS_URL, for looking at keys behind the adapter's back. */
export function rawClient(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
}

/** Every key under `prefix` (SCAN). */
export async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
    cursor = next;
    found.push(...keys);
  } while (cursor !== "0");
  return found.sort();
}

/** Deletes every key under `prefix` (SCAN + DEL). */
export async function deleteKeys(prefix: string): Promise<void> {
  const client = rawClient();
  try {
    const keys = await keysUnder(client, prefix);
    if (keys.length > 0) await client.del(...keys);
  } finally {
    client.disconnect();
  }
}
