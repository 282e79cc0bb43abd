/**
 * The pool under pressure and at the end: no deadlock on exhaustion, never more connections than the
 * pool size, and `close()` ends every one of them.
 */
import { randomUUID } from "node:crypto";
import type { VconStorage } from "@vcon/storage-core";
import { createTestDatabase, type TestDatabase } from "@vcon/test-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rejectsWith } from "../src/outcome.js";
import { connectionsTo, sampleConnections } from "../src/pg-activity.js";
import { pollUntil, within } from "../src/poll.js";
import { openPostgres, serverOptions } from "../src/postgres.js";
import { smallVcon } from "../src/vcons.js";

const POOL = 5;

describe("connection pool on a PostgreSQL server", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase("vcon_reliability_pool");
  });
  afterAll(async () => {
    await database?.drop();
  });

  const open = (): Promise<VconStorage> => openPostgres(serverOptions({ url: database.url, poolMax: POOL }));

  it("1,000 concurrent operations on a pool of 5 all complete, never using more than 5 connections", async () => {
    const storage = await open();
    try {
      const uuids = Array.from({ length: 250 }, () => randomUUID());
      const sampler = sampleConnections(database.url);
      const work = uuids.flatMap((uuid) => [
        storage.save(smallVcon(uuid, "pool")),
        storage.get(uuid),
        storage.exists(uuid),
        storage.search({ tel: "+15550100001", limit: 5 }),
      ]);
      const outcomes = await within(Promise.allSettled(work), 60_000, "1,000 operations on a pool of 5");
      const { highest } = await sampler.stop();
      expect(outcomes.filter((o) => o.status === "rejected")).toEqual([]);
      expect(highest).toBeLessThanOrEqual(POOL);
      for (const uuid of uuids.slice(0, 20)) expect(await storage.exists(uuid)).toBe(true);
    } finally {
      await storage.close();
    }
  });

  it("close() ends every connection and later calls reject with CLOSED", async () => {
    const storage = await open();
    await Promise.all(Array.from({ length: 20 }, () => storage.save(smallVcon())));
    expect(await connectionsTo(database.url)).toBeGreaterThan(0);
    await storage.close();
    expect(await pollUntil(() => connectionsTo(database.url).then(zeroOrThrow), { timeoutMs: 5_000 })).toBe(
      0,
    );
    await rejectsWith("CLOSED", () => storage.save(smallVcon()));
    await rejectsWith("CLOSED", () => storage.get(randomUUID()));
    await rejectsWith("CLOSED", () => storage.saveMany([smallVcon()]));
    await rejectsWith("CLOSED", () => storage.search({}));
    await storage.close(); // a second close is harmless
  });

  it("close() waits for calls in flight: each resolves or rejects with CLOSED, none hangs", async () => {
    const storage = await open();
    const calls = Array.from({ length: 100 }, () => storage.save(smallVcon()));
    await within(storage.close(), 30_000, "close with calls in flight");
    const outcomes = await within(Promise.allSettled(calls), 5_000, "calls in flight after close");
    for (const outcome of outcomes) {
      if (outcome.status === "rejected") expect((outcome.reason as { code?: string }).code).toBe("CLOSED");
    }
    expect(await pollUntil(() => connectionsTo(database.url).then(zeroOrThrow), { timeoutMs: 5_000 })).toBe(
      0,
    );
  });

  it("10,000 saves never grow the connection count past the pool size", async () => {
    const storage = await open();
    try {
      const sampler = sampleConnections(database.url, 100);
      const uuids: string[] = [];
      for (let wave = 0; wave < 100; wave++) {
        const batch = Array.from({ length: 100 }, () => randomUUID());
        uuids.push(...batch);
        await Promise.all(batch.map((uuid) => storage.save(smallVcon(uuid, "ten thousand"))));
      }
      const { highest, samples } = await sampler.stop();
      expect(samples).toBeGreaterThan(0);
      expect(highest).toBeLessThanOrEqual(POOL);
      expect(await connectionsTo(database.url)).toBeLessThanOrEqual(POOL);
      for (const uuid of [uuids[0]!, uuids[5_000]!, uuids[9_999]!])
        expect(await storage.exists(uuid)).toBe(true);
    } finally {
      await storage.close();
    }
    expect(await pollUntil(() => connectionsTo(database.url).then(zeroOrThrow), { timeoutMs: 5_000 })).toBe(
      0,
    );
  });
});

function zeroOrThrow(count: number): number {
  if (count !== 0) throw new Error(`${count} connections still open`);
  return count;
}
