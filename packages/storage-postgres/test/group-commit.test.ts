import { fromAdapter, isStorageError, type VconStorage } from "@vcon/storage-core";
import { createTestDatabase, sqlRows, type TestDatabase } from "@vcon/test-postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresAdapter } from "../src/index.js";
import { SOLO_BYTES } from "../src/sql/group-writer.js";
import { sampleVcon } from "./helpers.js";
import { REFUSE_WRITES, REFUSED_WRITES_SETUP, RESTORE_WRITES } from "./support/refused-writes.js";

/** Issue 17: concurrent saves on one storage share statements and commits; each caller keeps its own outcome. */
describe("group commit of concurrent saves", () => {
  let database: TestDatabase;
  let storage: VconStorage;
  beforeAll(async () => {
    database = await createTestDatabase("group_commit");
    storage = fromAdapter(await PostgresAdapter.connect({ url: database.url, poolSize: 4 }));
    for (const statement of REFUSED_WRITES_SETUP) await sqlRows(database.url, statement);
  });
  afterAll(async () => {
    await storage?.close();
    await database?.drop();
  });

  it("64 concurrent saves all land, in far fewer statements (each its own commit) than saves", async () => {
    const vcons = Array.from({ length: 64 }, (_, i) => sampleVcon({ subject: `group ${i}` }));
    // A pool of the test's own, counting the statements the adapter sends (each one commit: no BEGIN).
    const pool = new pg.Pool({ connectionString: database.url, max: 4 });
    const sent: string[] = [];
    const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
    (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args) => {
      sent.push(
        String((args[0] as { text?: string }).text ?? args[0])
          .trim()
          .split(/\s+/, 1)[0]!,
      );
      return query(...args);
    };
    const own = fromAdapter(await PostgresAdapter.connect({ pool, autoMigrate: false }));
    try {
      sent.length = 0;
      await Promise.all(vcons.map((vcon) => own.save(vcon)));
      expect(sent.every((verb) => verb === "INSERT")).toBe(true);
      // One save per connection (4) starts at once; the other 60 queue and go as one group per finishing one.
      expect(sent.length).toBeLessThanOrEqual(8);
      for (const vcon of vcons) expect(await storage.get(vcon.uuid)).toEqual(vcon);
    } finally {
      await own.close();
      await pool.end();
    }
  });

  it("documents over SOLO_BYTES are never grouped: each is its own statement, all at once", async () => {
    const big = "x".repeat(SOLO_BYTES);
    const vcons = Array.from({ length: 10 }, () => sampleVcon({ subject: big }));
    const outcomes = await Promise.allSettled(vcons.map((vcon) => storage.save(vcon)));
    expect(outcomes.every((outcome) => outcome.status === "fulfilled")).toBe(true);
    const [row] = await sqlRows<{ n: string; stamps: string }>(
      database.url,
      "SELECT count(*) AS n, count(DISTINCT xmin::text) AS stamps FROM vcons WHERE id = ANY($1::uuid[])",
      [vcons.map((vcon) => vcon.uuid)],
    );
    // One statement (so one transaction) per document: rows written together share their xmin.
    expect(row).toEqual({ n: "10", stamps: "10" });
  });

  it("saves of one uuid in one burst apply in call order: the last one wins", async () => {
    const base = sampleVcon();
    const versions = Array.from({ length: 12 }, (_, i) => ({ ...base, subject: `version ${i}` }));
    const others = Array.from({ length: 12 }, () => sampleVcon());
    await Promise.all(versions.flatMap((vcon, i) => [storage.save(vcon), storage.save(others[i]!)]));
    expect((await storage.get(base.uuid))?.subject).toBe("version 11");
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
      storage.save({ ...withoutCreatedAt, subject: "updated" }),
      ...Array.from({ length: 8 }, () => storage.save(sampleVcon())),
    ]);
    expect(await storage.get(first.uuid)).toEqual({ ...withoutCreatedAt, subject: "updated" });
    const [row] = await sqlRows<{ t: string }>(
      database.url,
      "SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS t FROM vcons WHERE id = $1",
      [first.uuid],
    );
    expect(row?.t).toBe("2020-05-05 05:05:05");
  });
});
