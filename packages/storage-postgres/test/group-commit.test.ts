import { fromAdapter, isStorageError, type VconStorage } from "@vcon/storage-core";
import { prepareVcon } from "@vcon/storage-core/adapter";
import { createTestDatabase, sqlRows, type TestDatabase } from "@vcon/test-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresAdapter } from "../src/index.js";
import { DEFAULT_WRITES_IN_FLIGHT, SOLO_BYTES } from "../src/sql/group-writer.js";
import { callerPool, sampleVcon } from "./helpers.js";
import { REFUSE_WRITES, REFUSED_WRITES_SETUP, RESTORE_WRITES } from "./support/refused-writes.js";

/**
 * A pool of the test's own that records what the adapter sends through it: each statement's first word
 * (every save is one statement, so one commit: no BEGIN), and the most statements running at once.
 */
function countingPool(url: string, max: number) {
  const pool = callerPool({ connectionString: url, max });
  const seen = { sent: [] as string[], running: 0, mostRunning: 0 };
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args) => {
    seen.sent.push(
      String((args[0] as { text?: string }).text ?? args[0])
        .trim()
        .split(/\s+/, 1)[0]!,
    );
    seen.mostRunning = Math.max(seen.mostRunning, ++seen.running);
    return query(...args).finally(() => seen.running--);
  };
  const reset = () => Object.assign(seen, { sent: [], running: 0, mostRunning: 0 });
  return { pool, seen, reset };
}

/** Rows written by one statement share its transaction id: distinct xmins = transactions (commits). */
async function commitsOf(url: string, uuids: readonly string[]): Promise<{ n: string; commits: string }> {
  const [row] = await sqlRows<{ n: string; commits: string }>(
    url,
    "SELECT count(*) AS n, count(DISTINCT xmin::text) AS commits FROM vcons WHERE id = ANY($1::uuid[])",
    [uuids],
  );
  return row!;
}

/** Issue 17: concurrent saves on one storage share statements and commits; each caller keeps its own outcome. */
describe("group commit of concurrent saves", () => {
  let database: TestDatabase;
  let storage: VconStorage;
  beforeAll(async () => {
    database = await createTestDatabase("group_commit");
    // One save statement in flight: every concurrent save after the first joins a group.
    storage = fromAdapter(
      await PostgresAdapter.connect({ url: database.url, poolSize: 4, maxWritesInFlight: 1 }),
    );
    for (const statement of REFUSED_WRITES_SETUP) await sqlRows(database.url, statement);
  });
  afterAll(async () => {
    await storage?.close();
    await database?.drop();
  });

  it("groups while pool connections are free: with a bound of 1, 32 saves on a pool of 8 are 2 statements", async () => {
    const { pool, seen, reset } = countingPool(database.url, 8);
    const own = fromAdapter(
      await PostgresAdapter.connect({ pool, autoMigrate: false, maxWritesInFlight: 1 }),
    );
    try {
      const vcons = Array.from({ length: 32 }, (_, i) => sampleVcon({ subject: `group ${i}` }));
      reset();
      await Promise.all(vcons.map((vcon) => own.save(vcon)));
      // The first save goes at once; the other 31 queue behind it and go as one group when it ends.
      expect(seen.sent).toEqual(["INSERT", "INSERT"]);
      expect(seen.mostRunning).toBe(1);
      // The server's own record: 32 rows in 2 transactions.
      expect(
        await commitsOf(
          database.url,
          vcons.map((vcon) => vcon.uuid),
        ),
      ).toEqual({ n: "32", commits: "2" });
      for (const vcon of vcons) expect(await own.get(vcon.uuid)).toEqual(vcon);
    } finally {
      await own.close();
      await pool.end();
    }
  });

  it("runs at most maxWritesInFlight save statements at once, the default included, whatever the pool size", async () => {
    for (const bound of [3, undefined]) {
      const { pool, seen, reset } = countingPool(database.url, 16);
      const own = fromAdapter(
        await PostgresAdapter.connect({
          pool,
          autoMigrate: false,
          ...(bound === undefined ? {} : { maxWritesInFlight: bound }),
        }),
      );
      try {
        const vcons = Array.from({ length: 64 }, () => sampleVcon());
        reset();
        await Promise.all(vcons.map((vcon) => own.save(vcon)));
        const limit = bound ?? DEFAULT_WRITES_IN_FLIGHT;
        expect(seen.mostRunning, `bound ${limit}`).toBe(limit);
        // `limit` saves went alone; the rest in groups as those ended: far fewer statements than saves.
        expect(seen.sent.length, `bound ${limit}`).toBeLessThanOrEqual(limit * 3);
        const { n, commits } = await commitsOf(
          database.url,
          vcons.map((vcon) => vcon.uuid),
        );
        expect(n).toBe("64");
        expect(Number(commits)).toBe(seen.sent.length);
      } finally {
        await own.close();
        await pool.end();
      }
    }
  });

  it("sends a lone save at once, with no timer: the statement is out before save() returns", async () => {
    const { pool, seen, reset } = countingPool(database.url, 4);
    const adapter = await PostgresAdapter.connect({ pool, autoMigrate: false, maxWritesInFlight: 1 });
    try {
      for (let i = 0; i < 3; i++) {
        reset();
        const vcon = sampleVcon();
        const saving = adapter.save(prepareVcon(vcon));
        // Synchronously, before any timer or microtask could run: the statement is with the pool.
        expect(seen.sent).toEqual(["INSERT"]);
        await saving;
        expect(await adapter.get(vcon.uuid)).toEqual(vcon);
      }
    } finally {
      await adapter.close();
      await pool.end();
    }
  });

  it("resolves each save only after its commit: another connection sees the row at once", async () => {
    const reader = callerPool({ connectionString: database.url, max: 4 });
    try {
      const vcons = Array.from({ length: 24 }, () => sampleVcon());
      const unseen: string[] = [];
      await Promise.all(
        vcons.map((vcon) =>
          storage.save(vcon).then(async () => {
            const { rowCount } = await reader.query("SELECT 1 FROM vcons WHERE id = $1", [vcon.uuid]);
            if (rowCount !== 1) unseen.push(vcon.uuid);
          }),
        ),
      );
      expect(unseen).toEqual([]);
      expect(
        Number(
          (
            await commitsOf(
              database.url,
              vcons.map((vcon) => vcon.uuid),
            )
          ).commits,
        ),
      ).toBeLessThan(24);
    } finally {
      await reader.end();
    }
  });

  it("documents over SOLO_BYTES are never grouped nor held by the bound: each its own statement, all at once", async () => {
    const { pool, seen, reset } = countingPool(database.url, 10);
    const own = fromAdapter(
      await PostgresAdapter.connect({ pool, autoMigrate: false, maxWritesInFlight: 1 }),
    );
    try {
      const big = "x".repeat(SOLO_BYTES);
      const vcons = Array.from({ length: 10 }, () => sampleVcon({ subject: big }));
      reset();
      const outcomes = await Promise.allSettled(vcons.map((vcon) => own.save(vcon)));
      expect(outcomes.every((outcome) => outcome.status === "fulfilled")).toBe(true);
      expect(seen.sent.length).toBe(10);
      expect(seen.mostRunning).toBeGreaterThan(1);
      // One statement (so one transaction) per document: rows written together share their xmin.
      expect(
        await commitsOf(
          database.url,
          vcons.map((vcon) => vcon.uuid),
        ),
      ).toEqual({ n: "10", commits: "10" });
    } finally {
      await own.close();
      await pool.end();
    }
  });

  it("saves of one uuid in one burst apply in call order: the last one wins", async () => {
    const base = sampleVcon();
    const big = sampleVcon({ uuid: base.uuid, subject: "x".repeat(SOLO_BYTES) });
    const versions = Array.from({ length: 12 }, (_, i) => ({ ...base, subject: `version ${i}` }));
    const others = Array.from({ length: 12 }, () => sampleVcon());
    // A large version in the middle, which goes alone, does not pass the small ones queued before it.
    const burst = [...versions.slice(0, 6), big, ...versions.slice(6)];
    await Promise.all(burst.flatMap((vcon, i) => [storage.save(vcon), storage.save(others[i % 12]!)]));
    expect((await storage.get(base.uuid))?.subject).toBe("version 11");
    await Promise.all([...versions, big].map((vcon) => storage.save(vcon)));
    expect((await storage.get(base.uuid))?.subject).toBe(big.subject);
  });

  it("a document the database refuses fails only its own caller; the rest of its group lands", async () => {
    const vcons = Array.from({ length: 20 }, () => sampleVcon());
    const refused = vcons[7]!;
    await sqlRows(database.url, REFUSE_WRITES, [refused.uuid]);
    try {
      const outcomes = await Promise.allSettled(vcons.map((vcon) => storage.save(vcon)));
      outcomes.forEach((outcome, i) => {
        if (i === 7) {
          expect(outcome.status).toBe("rejected");
          expect(isStorageError((outcome as PromiseRejectedResult).reason)).toBe(true);
        } else expect(outcome.status, `save ${i}`).toBe("fulfilled");
      });
      expect(await storage.get(refused.uuid)).toBeNull();
      for (const [i, vcon] of vcons.entries())
        if (i !== 7) expect(await storage.exists(vcon.uuid)).toBe(true);
    } finally {
      await sqlRows(database.url, RESTORE_WRITES);
    }
  });

  it("an update without created_at in a group keeps the stored created_at", async () => {
    const first = sampleVcon({ created_at: "2020-05-05T05:05:05.000Z" });
    await storage.save(first);
    const { created_at: _, ...withoutCreatedAt } = first;
    await Promise.all([
      ...Array.from({ length: 4 }, () => storage.save(sampleVcon())),
      storage.save({ ...withoutCreatedAt, subject: "updated" }),
      ...Array.from({ length: 4 }, () => storage.save(sampleVcon())),
    ]);
    expect(await storage.get(first.uuid)).toEqual({ ...withoutCreatedAt, subject: "updated" });
    const [row] = await sqlRows<{ t: string }>(
      database.url,
      "SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS t FROM vcons WHERE id = $1",
      [first.uuid],
    );
    expect(row?.t).toBe("2020-05-05 05:05:05");
  });

  it("refuses a maxWritesInFlight below 1 as VALIDATION", async () => {
    let failure: unknown;
    try {
      await PostgresAdapter.connect({ url: database.url, maxWritesInFlight: 0 });
    } catch (error) {
      failure = error;
    }
    expect(isStorageError(failure) && failure.code).toBe("VALIDATION");
  });
});
