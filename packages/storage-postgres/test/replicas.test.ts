/**
 * Read replicas against a real primary and streaming hot standby started here (initdb, pg_basebackup -R):
 * reads reach the standby (its own statistics say so), read-your-writes, `consistency: "primary"`,
 * fallback when the standby is stopped and recovery when it is back. Skipped, with the reason, where
 * the PostgreSQL server programs are absent; under CI=true that fails instead.
 */
import { fromAdapter, type VconStorage } from "@vcon/storage-core";
import { type ReplicaPair, replicaPairSupport, sqlRows, startReplicaPair } from "@vcon/test-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresAdapter } from "../src/index.js";
import { sampleVcon } from "./helpers.js";
import { withReplicas } from "./readme/replicas.example.js";

const support = replicaPairSupport();
const reason = "reason" in support ? support.reason : null;
if (reason !== null && process.env.CI === "true") {
  throw new Error(`CI=true and no replica pair can start here: ${reason}`);
}
if (reason !== null) console.warn(`[storage-postgres] read replicas: skipped, ${reason}`);

/** Table reads (sequential and index scans) that a server's own statistics counted on `vcons`. */
async function tableReads(url: string): Promise<number> {
  const [row] = await sqlRows<{ n: string }>(
    url,
    "SELECT coalesce(sum(seq_scan + coalesce(idx_scan, 0)), 0) AS n FROM pg_stat_user_tables WHERE relname = 'vcons'",
  );
  return Number(row!.n);
}

/** Waits until no session of `applicationName` is left on the server (their statistics are published). */
function gone(url: string, applicationName: string): Promise<void> {
  return eventually(
    async () =>
      (await sqlRows(url, "SELECT 1 FROM pg_stat_activity WHERE application_name = $1", [applicationName]))
        .length === 0,
    5_000,
    `sessions of ${applicationName} ending`,
  );
}

/** Polls `probe` until it returns true, for at most `timeoutMs`. */
async function eventually(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads through the standby; health checked every 100 ms, so the tests need not wait long. */
function readerOptions(pair: ReplicaPair) {
  return {
    url: pair.primaryUrl,
    replicas: [pair.standbyUrl],
    replicaCheckMs: 100,
    maxReplicaLagMs: 10_000,
    autoMigrate: false,
    poolSize: 2,
  };
}

/** Stops replay on the standby: it keeps answering, with what it had. */
async function pauseReplay<T>(pair: ReplicaPair, work: () => Promise<T>): Promise<T> {
  await sqlRows(pair.standbyUrl, "SELECT pg_wal_replay_pause()");
  try {
    return await work();
  } finally {
    await sqlRows(pair.standbyUrl, "SELECT pg_wal_replay_resume()");
  }
}

describe.skipIf(reason !== null)("read replicas (a real primary and streaming standby)", () => {
  let pair: ReplicaPair;
  let adapter: PostgresAdapter;
  /** Reads through replicas; its own writes are read back from the primary. */
  let storage: VconStorage;
  /** Another instance writing to the same primary: its writes are not "recent" for `storage`. */
  let writer: VconStorage;

  beforeAll(async () => {
    pair = await startReplicaPair();
    // Migrated by an adapter that is gone before any test counts table reads (a backend publishes
    // its statistics when it exits, otherwise up to 10 s after it goes idle).
    await (await PostgresAdapter.connect({ url: pair.primaryUrl })).close();
  }, 60_000);

  afterAll(async () => {
    await storage?.close();
    await writer?.close();
    await pair?.stop();
  });

  it("gets, exists, search and export run on the standby (its statistics count them); the primary's table is not read", async () => {
    const documents = Array.from({ length: 5 }, () => sampleVcon({ subject: "replica read" }));
    // Written and read by storages of their own, closed before each count: a backend publishes its
    // statistics when it exits (an idle one may hold them for up to 10 s).
    const once = fromAdapter(
      await PostgresAdapter.connect({
        url: pair.primaryUrl,
        autoMigrate: false,
        applicationName: "replica-test-writer",
      }),
    );
    await once.saveMany(documents);
    await once.close();
    await pair.waitForReplay();
    await gone(pair.primaryUrl, "replica-test-writer");
    // A health verdict counts for 2 x replicaCheckMs; after that reads go to the primary until the
    // next check ends. At 100 ms a loaded machine can outrun that window, so this test, which counts
    // where reads ran rather than how fast checks come, checks explicitly and keeps the verdict 20 s.
    const readerAdapter = await PostgresAdapter.connect({
      ...readerOptions(pair),
      replicaCheckMs: 10_000,
      applicationName: "replica-test-reader",
    });
    const reader = fromAdapter(readerAdapter);
    expect((await readerAdapter.checkReplicas()).map((replica) => replica.state)).toStrictEqual(["healthy"]);
    const [standbyBefore, primaryBefore] = [
      await tableReads(pair.standbyUrl),
      await tableReads(pair.primaryUrl),
    ];

    for (const document of documents) {
      expect(await reader.get(document.uuid)).toStrictEqual(document);
      expect(await reader.exists(document.uuid)).toBe(true);
    }
    const page = await reader.search({ subject: "replica read" });
    expect(page.items.map((item) => item.uuid).sort()).toStrictEqual(documents.map((d) => d.uuid).sort());
    const exported: string[] = [];
    for await (const document of reader.export()) exported.push(String(document.uuid));
    expect(exported.sort()).toStrictEqual(documents.map((d) => d.uuid).sort());
    await reader.close();
    await gone(pair.primaryUrl, "replica-test-reader");
    await gone(pair.standbyUrl, "replica-test-reader");
    await eventually(
      async () => (await tableReads(pair.standbyUrl)) >= standbyBefore + 2 * documents.length + 2,
      5_000,
      "the standby's pg_stat_user_tables counting the reads",
    );
    expect(await tableReads(pair.primaryUrl)).toBe(primaryBefore);
  });

  // Opened only after the statistics test: an idle backend may publish its table reads up to 10 s
  // later, which would land in that test's count of the primary's reads.
  describe("with a writer and a reader open", () => {
    beforeAll(async () => {
      writer = fromAdapter(
        await PostgresAdapter.connect({ url: pair.primaryUrl, autoMigrate: false, poolSize: 2 }),
      );
      adapter = await PostgresAdapter.connect(readerOptions(pair));
      storage = fromAdapter(adapter);
    }, 60_000);

    it("read-your-writes: what this storage wrote or deleted is read from the primary; others' new writes are not yet", async () => {
      const old = sampleVcon({ subject: "before the pause" });
      await writer.save(old);
      await pair.waitForReplay();
      await adapter.checkReplicas();
      await pauseReplay(pair, async () => {
        const mine = sampleVcon({ subject: "written here" });
        const theirs = sampleVcon({ subject: "written elsewhere" });
        await storage.save(mine);
        await writer.save(theirs);
        expect(await storage.delete(old.uuid)).toBe(true);

        expect(await storage.get(mine.uuid)).toStrictEqual(mine);
        expect(await storage.exists(mine.uuid)).toBe(true);
        expect(await storage.get(old.uuid)).toBeNull();
        expect(await storage.exists(old.uuid)).toBe(false);
        // The standby serves reads of uuids not written here, and has not replayed the others' write.
        expect(await storage.get(theirs.uuid)).toBeNull();
        expect((await storage.search({ subject: "written here" })).items).toStrictEqual([]);
        // ...which `consistency: "primary"` reads from the primary.
        const primary = { consistency: "primary" } as const;
        expect(await storage.get(theirs.uuid, primary)).toStrictEqual(theirs);
        expect(await storage.exists(theirs.uuid, primary)).toBe(true);
        expect((await storage.search({ subject: "written here" }, primary)).items).toStrictEqual([mine]);
        const exported: string[] = [];
        for await (const document of storage.export({ consistency: "primary" }))
          exported.push(String(document.uuid));
        expect(exported).toContain(theirs.uuid);
        const fromStandby: string[] = [];
        for await (const document of storage.export()) fromStandby.push(String(document.uuid));
        expect(fromStandby).not.toContain(theirs.uuid);
        expect(fromStandby).toContain(old.uuid);
      });
    });

    it("an idle pair is not lagging; a standby behind by more than maxReplicaLagMs is skipped until it catches up", async () => {
      const strict = await PostgresAdapter.connect({ ...readerOptions(pair), maxReplicaLagMs: 300 });
      try {
        await writer.save(sampleVcon());
        await pair.waitForReplay();
        await sleep(600); // nothing written for twice maxReplicaLagMs: the last replayed commit is old
        expect(await strict.checkReplicas()).toMatchObject([{ state: "healthy", lagMs: 0 }]);

        const behind = sampleVcon({ subject: "not replayed" });
        await pauseReplay(pair, async () => {
          await writer.save(behind);
          await sleep(400);
          const [status] = await strict.checkReplicas();
          expect(status!.state).toBe("lagging");
          expect(status!.lagMs).toBeGreaterThan(300);
          // Read from the primary meanwhile: the document is found although the standby lacks it.
          expect(await strict.get(String(behind.uuid))).toStrictEqual(behind);
        });
        await pair.waitForReplay();
        expect(await strict.checkReplicas()).toMatchObject([{ state: "healthy", lagMs: 0 }]);
      } finally {
        await strict.close();
      }
    });

    it("falls back to the primary while the standby is down, and reads from it again once it is back", async () => {
      const document = sampleVcon({ subject: "through an outage" });
      await writer.save(document);
      await pair.waitForReplay();
      // Checked healthy with a verdict that stays fresh for 10 s, so the first read surely tries the standby.
      const sticky = { ...readerOptions(pair), replicaCheckMs: 5_000 };
      const forGet = await PostgresAdapter.connect(sticky);
      const forExport = await PostgresAdapter.connect(sticky);
      try {
        await Promise.all([forGet.checkReplicas(), forExport.checkReplicas(), adapter.checkReplicas()]);
        await pair.stopStandby();

        // The first read hits the stopped standby, marks it down and is answered by the primary.
        expect(await forGet.get(String(document.uuid))).toStrictEqual(document);
        expect(forGet.replicas()[0]).toMatchObject({ state: "down" });
        expect(forGet.replicas()[0]!.problem).toMatch(/^UNAVAILABLE: /);
        // An export whose standby fails before the first document runs on the primary instead.
        const exported: string[] = [];
        for await (const found of forExport.export({
          batchSize: 100,
          signal: new AbortController().signal,
        })) {
          exported.push(String(found.uuid));
        }
        expect(exported).toContain(document.uuid);
        expect(forExport.replicas()[0]).toMatchObject({ state: "down" });
      } finally {
        await forGet.close();
        await forExport.close();
      }
      for (let i = 0; i < 5; i++) expect(await storage.exists(document.uuid)).toBe(true);
      expect((await storage.search({ subject: "through an outage" })).items).toStrictEqual([document]);

      await pair.startStandby();
      // Reads start the health checks (backing off while it was down): no call to checkReplicas here.
      await eventually(
        async () => {
          await storage.get(document.uuid);
          return adapter.replicas()[0]!.state === "healthy";
        },
        15_000,
        "the standby serving reads again",
      );
      // Served by the standby: with its replay paused, another instance's new write is not there yet.
      const later = sampleVcon({ subject: "after the outage" });
      await pauseReplay(pair, async () => {
        await writer.save(later);
        expect(await storage.get(later.uuid)).toBeNull();
        expect(await storage.get(later.uuid, { consistency: "primary" })).toStrictEqual(later);
      });
    });

    it("round robin: consecutive reads take turns over the replicas", async () => {
      const document = sampleVcon();
      await writer.save(document);
      await pair.waitForReplay();
      // The same standby twice, one connection per pool: each backend's last statement shows who read.
      const twice = await PostgresAdapter.connect({
        ...readerOptions(pair),
        replicas: [pair.standbyUrl, pair.standbyUrl],
        replicaCheckMs: 5_000, // no check round between the reads below
        poolSize: 1,
        applicationName: "replica-test-round-robin",
      });
      try {
        await twice.checkReplicas(); // both pools' backends last ran the health probe
        for (let i = 0; i < 2; i++) expect(await twice.get(String(document.uuid))).toStrictEqual(document);
        const last = await sqlRows<{ query: string }>(
          pair.standbyUrl,
          "SELECT query FROM pg_stat_activity WHERE application_name = 'replica-test-round-robin'",
        );
        expect(last).toHaveLength(2);
        for (const { query } of last) expect(query).not.toContain("pg_is_in_recovery");
      } finally {
        await twice.close();
      }
    });

    it("the README example: its own write read back at once, search by consistency", async () => {
      const vcon = { ...sampleVcon(), subject: `readme ${Date.now()}` };
      const result = await withReplicas(pair.primaryUrl, [pair.standbyUrl], vcon);
      expect(result).toMatchObject({ mine: vcon, primaryMatches: 1 });
      expect(result.standbyMatches).toBeLessThanOrEqual(1);
      expect(result.replicas.map((replica) => replica.target)).toStrictEqual([
        `127.0.0.1:${pair.standbyPort}/postgres`,
      ]);
    });

    it("an export that fails on the standby midway fails, rather than switch servers", async () => {
      const documents = Array.from({ length: 6 }, () => sampleVcon({ subject: "long export" }));
      await writer.saveMany(documents);
      await pair.waitForReplay();
      await adapter.checkReplicas();
      const seen: string[] = [];
      const run = async () => {
        for await (const document of storage.export({ batchSize: 1 })) {
          seen.push(String(document.uuid));
          if (seen.length === 1) await pair.stopStandby();
        }
      };
      try {
        await expect(run()).rejects.toMatchObject({ code: "UNAVAILABLE" });
        expect(seen.length).toBeGreaterThanOrEqual(1);
      } finally {
        await pair.startStandby();
      }
    });

    // Last: promotion ends the pair.
    it("a promoted standby is no longer used as a replica", async () => {
      const document = sampleVcon({ subject: "before promotion" });
      await writer.save(document);
      await pair.waitForReplay();
      await sqlRows(pair.standbyUrl, "SELECT pg_promote(true, 30)");
      const [status] = await adapter.checkReplicas();
      expect(status).toMatchObject({
        state: "down",
        problem: "not a standby (pg_is_in_recovery() is false)",
      });
      expect(await storage.get(String(document.uuid))).toStrictEqual(document);
    });
  });
});
