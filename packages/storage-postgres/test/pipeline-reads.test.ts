import { randomUUID } from "node:crypto";
import { fromAdapter, isStorageError, type Vcon, type VconStorage } from "@vcon/storage-core";
import { createTestDatabase, sqlRows, type TestDatabase } from "@vcon/test-postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresAdapter } from "../src/index.js";
import { callerPool, sampleVcon } from "./helpers.js";

const APP = "vcon-pipeline-test";

/** A pool of the test's own that counts checkouts: pool.query checks one out per statement. */
function countingPool(url: string, max = 8) {
  const pool = callerPool({ connectionString: url, max, application_name: APP });
  const seen = { checkouts: 0 };
  pool.on("acquire", () => seen.checkouts++);
  return { pool, seen };
}

/** A session holding ACCESS EXCLUSIVE on the table: every read of it waits, in flight, until release(). */
async function lockTable(url: string): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query("BEGIN");
  await client.query("LOCK TABLE vcons IN ACCESS EXCLUSIVE MODE");
  return {
    async release() {
      await client.query("COMMIT");
      await client.end();
    },
  };
}

/** Backends of `application` waiting on a lock: the pipelined clients blocked behind lockTable. */
async function waitingBackends(url: string, application: string, count: number): Promise<number[]> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const rows = await sqlRows<{ pid: number }>(
      url,
      "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock' ORDER BY pid",
      [application],
    );
    if (rows.length >= count) return rows.map((row) => row.pid);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`fewer than ${count} backends of ${application} waited on the lock`);
}

async function backendsOf(url: string, application: string): Promise<number> {
  const rows = await sqlRows<{ n: string }>(
    url,
    "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1",
    [application],
  );
  return Number(rows[0]!.n);
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

function settle(promise: Promise<unknown>): Promise<Outcome> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}

/** Issue 17: get and exists run pipelined on a few pool clients; each caller still gets its own row. */
describe("pipelined reads", () => {
  let database: TestDatabase;
  let storage: VconStorage;
  const vcons: Vcon[] = Array.from({ length: 200 }, (_, i) => sampleVcon({ subject: `pipelined ${i}` }));

  beforeAll(async () => {
    database = await createTestDatabase("pipeline_reads");
    storage = fromAdapter(await PostgresAdapter.connect({ url: database.url, poolSize: 8 }));
    await storage.saveMany(vcons);
  });
  afterAll(async () => {
    await storage?.close();
    await database?.drop();
  });

  it("200 concurrent gets of distinct uuids each return their own document; missing ones return null", async () => {
    const missing = Array.from({ length: 20 }, () => randomUUID());
    const asked = [...vcons.map((vcon) => vcon.uuid), ...missing].sort();
    const found = await Promise.all(asked.map((uuid) => storage.get(uuid)));
    const byUuid = new Map(vcons.map((vcon) => [vcon.uuid, vcon]));
    asked.forEach((uuid, i) => {
      expect(found[i]).toEqual(byUuid.get(uuid) ?? null);
    });
    const present = await Promise.all(asked.map((uuid) => storage.exists(uuid)));
    expect(present).toEqual(asked.map((uuid) => byUuid.has(uuid)));
  });

  it("runs concurrent reads on 2 checked-out clients, gives them back when idle, and pool-per-read when off", async () => {
    const { pool, seen } = countingPool(database.url);
    const pipelined = fromAdapter(await PostgresAdapter.connect({ pool, autoMigrate: false }));
    const plain = fromAdapter(
      await PostgresAdapter.connect({ pool, autoMigrate: false, pipelineReads: false }),
    );
    try {
      const uuids = vcons.slice(0, 100).map((vcon) => vcon.uuid);
      seen.checkouts = 0;
      const documents = await Promise.all(uuids.map((uuid) => pipelined.get(uuid)));
      expect(documents.map((document) => document?.uuid)).toEqual(uuids);
      expect(seen.checkouts).toBeLessThanOrEqual(2);
      // One caller reading in a loop keeps one client: no checkout per read, no second client.
      await new Promise((resolve) => setImmediate(resolve));
      seen.checkouts = 0;
      for (const uuid of uuids.slice(0, 30)) expect((await pipelined.get(uuid))?.uuid).toBe(uuid);
      expect(seen.checkouts).toBe(1);
      // Idle, the clients are back in the pool, out of pipeline mode.
      await new Promise((resolve) => setImmediate(resolve));
      expect(pool.idleCount).toBe(pool.totalCount);
      const client = await pool.connect();
      expect((client as unknown as { pipeline: boolean }).pipeline).toBe(false);
      client.release();
      seen.checkouts = 0;
      await Promise.all(uuids.map((uuid) => plain.get(uuid)));
      expect(seen.checkouts).toBe(uuids.length);
    } finally {
      await pipelined.close();
      await plain.close();
      await pool.end();
    }
  });

  it("a terminated backend fails only the reads in flight on its client; later reads get a fresh one", async () => {
    const application = `${APP}-terminate`;
    const own = fromAdapter(
      await PostgresAdapter.connect({ url: database.url, poolSize: 8, applicationName: application }),
    );
    try {
      const uuids = vcons.slice(0, 20).map((vcon) => vcon.uuid);
      const lock = await lockTable(database.url);
      const reads = uuids.map((uuid) => settle(own.get(uuid)));
      // Both pipelined clients have a read waiting on the lock (and the rest queued behind it).
      const [victim] = await waitingBackends(database.url, application, 2);
      await sqlRows(database.url, "SELECT pg_terminate_backend($1)", [victim]);
      // The terminated client's reads fail at once; the other client's wait for the lock. Reads sent
      // right after the failure go to a fresh client (the broken one, reused, would fail them too).
      await new Promise<void>((resolve) => {
        for (const read of reads) void read.then((outcome) => outcome.ok || resolve());
      });
      const next = uuids.map((uuid) => settle(own.get(uuid)));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await lock.release();
      const outcomes = await Promise.all(reads);
      const after = await Promise.all(next);
      expect(after.map((outcome) => outcome.ok && (outcome.value as Vcon).uuid)).toEqual(uuids);
      const failed = outcomes.filter((outcome) => !outcome.ok);
      const succeeded = outcomes.filter((outcome) => outcome.ok);
      // Reads alternate between the two clients (the one with fewer in flight): the victim carried every
      // other one, and only those failed.
      expect(failed.length).toBe(10);
      expect(succeeded.length).toBe(10);
      expect(new Set(outcomes.flatMap((outcome, i) => (outcome.ok ? [] : [i % 2]))).size).toBe(1);
      for (const outcome of failed) {
        const { error } = outcome as { error: unknown };
        expect(isStorageError(error) && error.code).toBe("UNAVAILABLE");
      }
      outcomes.forEach((outcome, i) => {
        if (outcome.ok) expect((outcome.value as Vcon).uuid).toBe(uuids[i]);
      });
      // The broken client was dropped, not reused: every later read succeeds, on live backends only.
      const again = await Promise.all(uuids.map((uuid) => own.get(uuid)));
      expect(again.map((document) => document?.uuid)).toEqual(uuids);
      const live = await sqlRows<{ pid: number }>(
        database.url,
        "SELECT pid FROM pg_stat_activity WHERE application_name = $1",
        [application],
      );
      expect(live.map((row) => row.pid)).not.toContain(victim);
    } finally {
      await own.close();
    }
  });

  it("a read timing out tears down its pipelined client (pg's rule); the next reads succeed", async () => {
    const own = fromAdapter(
      await PostgresAdapter.connect({ url: database.url, poolSize: 8, statementTimeoutMs: 300 }),
    );
    try {
      const uuids = vcons.slice(20, 30).map((vcon) => vcon.uuid);
      const lock = await lockTable(database.url);
      let outcomes: Outcome[];
      try {
        outcomes = await Promise.all(uuids.map((uuid) => settle(own.get(uuid))));
      } finally {
        await lock.release();
      }
      for (const outcome of outcomes) {
        expect(outcome.ok).toBe(false);
        const { error } = outcome as { error: unknown };
        expect(isStorageError(error) && error.code).toBe("UNAVAILABLE");
      }
      const again = await Promise.all(uuids.map((uuid) => own.get(uuid)));
      expect(again.map((document) => document?.uuid)).toEqual(uuids);
      expect(await own.exists(uuids[0]!)).toBe(true);
    } finally {
      await own.close();
    }
  });

  it("close() with reads in flight settles them all, then ends the pool", async () => {
    const application = `${APP}-close`;
    const adapter = await PostgresAdapter.connect({
      url: database.url,
      poolSize: 8,
      applicationName: application,
    });
    const uuids = vcons.slice(30, 50).map((vcon) => vcon.uuid);
    const lock = await lockTable(database.url);
    const reads = uuids.map((uuid) => settle(adapter.get(uuid)));
    await waitingBackends(database.url, application, 2);
    const closing = adapter.close();
    setTimeout(() => void lock.release(), 100);
    const outcomes = await Promise.all(reads);
    await closing;
    // Reads already sent finish (pipelined queries are on the wire): each with its own document.
    outcomes.forEach((outcome, i) => {
      expect(outcome.ok && (outcome.value as Vcon).uuid).toBe(uuids[i]);
    });
    // A backend leaves pg_stat_activity a moment after its connection ends.
    await expect.poll(() => backendsOf(database.url, application), { timeout: 5_000 }).toBe(0);
  });
});
