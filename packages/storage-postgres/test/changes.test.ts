import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import {
  fromAdapter,
  isStorageError,
  type Logger,
  type StorageChange,
  silentLogger,
  type VconStorage,
} from "@vcon/storage-core";
import { createTestDatabase, getPostgresUrl, sqlRows, type TestDatabase } from "@vcon/test-postgres";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PostgresAdapter, type PostgresOptions } from "../src/index.js";
import { sampleVcon } from "./helpers.js";
import { REFUSE_WRITES, REFUSED_WRITES_SETUP, RESTORE_WRITES } from "./support/refused-writes.js";

/**
 * The change log (capability `changes`, src/changes/): triggers record one change per uuid in each
 * write's own transaction, whoever writes the table. The same checks run on a server and on PGlite.
 */
type Row = Record<string, unknown>;

interface Backend {
  /** A new adapter on the backend's database (it migrates unless the options say otherwise). */
  connect(options?: PostgresOptions): Promise<PostgresAdapter>;
  /** SQL from another client of the same database, as vcon-server's Python module would send it. */
  sql<R extends Row = Row>(text: string, values?: unknown[]): Promise<R[]>;
}

const uuidsOf = (changes: readonly StorageChange[]) => changes.map((change) => change.uuid);
const sorted = (values: readonly string[]) => [...values].sort();

/** The triggers recordChanges(true) makes, on `table` (a regclass text). */
async function triggersOn(sql: Backend["sql"], table = "vcons"): Promise<string[]> {
  const rows = await sql<{ tgname: string }>(
    "SELECT tgname FROM pg_trigger WHERE tgrelid = $1::regclass AND tgname LIKE 'vcon_record_%' ORDER BY tgname",
    [table],
  );
  return rows.map((row) => row.tgname);
}

const ALL_TRIGGERS = [
  "vcon_record_deletes",
  "vcon_record_inserts",
  "vcon_record_truncates",
  "vcon_record_updates",
];

function describeChangeLog(label: string, hooks: { setup(): Promise<Backend>; teardown(): Promise<void> }) {
  describe(`the change log on ${label}`, () => {
    let backend: Backend;
    let adapter: PostgresAdapter;
    let storage: VconStorage;
    const log = () => storage.readChanges!(10_000);
    /** Inserts a row as the Python module does: the document in vcon_json, no search keys. */
    const pythonInsert = (vcon: ReturnType<typeof sampleVcon>) =>
      backend.sql(
        "INSERT INTO vcons (id, vcon, uuid, created_at, updated_at, vcon_json) VALUES ($1, '0.0.1', $1, now(), now(), $2)",
        [vcon.uuid, JSON.stringify(vcon)],
      );

    beforeAll(async () => {
      backend = await hooks.setup();
      adapter = await backend.connect();
      storage = fromAdapter(adapter);
      for (const statement of REFUSED_WRITES_SETUP) await backend.sql(statement);
      await storage.recordChanges!(true);
    });
    afterAll(async () => {
      await storage?.close();
      await hooks.teardown();
    });
    beforeEach(async () => {
      await backend.sql(RESTORE_WRITES);
      await backend.sql("DELETE FROM vcons_changes");
    });

    it("save records one change per uuid, in order, carrying the stored text that get() parses", async () => {
      const [a, b] = [sampleVcon(), sampleVcon()];
      await storage.save(a);
      await storage.save(b);
      const changes = await log();
      expect(uuidsOf(changes)).toEqual([a.uuid, b.uuid]);
      expect(BigInt(changes[1]!.id)).toBeGreaterThan(BigInt(changes[0]!.id));
      for (const change of changes) {
        const [row] = await backend.sql<{ vcon: string }>("SELECT vcon FROM vcons WHERE id = $1", [
          change.uuid,
        ]);
        expect(change.json).toBe(row!.vcon);
        expect(JSON.parse(change.json!)).toEqual(await storage.get(change.uuid));
        expect(Math.abs(change.recordedMs - Date.now())).toBeLessThan(60_000);
        expect(Number.isInteger(change.recordedMs)).toBe(true);
      }
    });

    it("an upsert of a stored uuid records one change (not an insert and an update), with the state now", async () => {
      const a = sampleVcon();
      await storage.save(a);
      await backend.sql("DELETE FROM vcons_changes");
      const second = { ...a, subject: "second version" };
      await storage.save(second);
      const changes = await log();
      expect(uuidsOf(changes)).toEqual([a.uuid]);
      expect(JSON.parse(changes[0]!.json!)).toEqual(second);
      // Saving the same document again is still a write (updated_at moves): one change.
      await storage.save(second);
      expect(uuidsOf(await log())).toEqual([a.uuid, a.uuid]);
      // Each change shows the uuid as it is when read: after a delete, null on all three.
      await storage.delete(a.uuid);
      expect((await log()).map((change) => change.json)).toEqual([null, null, null]);
    });

    it("a burst of concurrent saves, new and stored uuids, grouped into shared statements: each uuid once", async () => {
      const stored = Array.from({ length: 32 }, () => sampleVcon());
      await storage.saveMany(stored);
      await backend.sql("DELETE FROM vcons_changes");
      const burst = [
        ...stored.map((vcon) => ({ ...vcon, subject: "rewritten" })),
        ...stored.map(() => sampleVcon()),
      ];
      await Promise.all(burst.map((vcon) => storage.save(vcon)));
      const changes = await log();
      expect(sorted(uuidsOf(changes))).toEqual(sorted(burst.map((vcon) => vcon.uuid)));
      // Grouped for real: rows written by one statement share its transaction id.
      const [row] = await backend.sql<{ statements: number }>(
        "SELECT count(DISTINCT xmin::text)::int AS statements FROM vcons WHERE id = ANY($1::uuid[])",
        [burst.map((vcon) => vcon.uuid)],
      );
      expect(row!.statements).toBeLessThan(burst.length);
    });

    it("saveMany records one change per uuid of the batch, new and stored alike", async () => {
      const stored = sampleVcon();
      await storage.save(stored);
      await backend.sql("DELETE FROM vcons_changes");
      const batch = [{ ...stored, subject: "batched" }, ...Array.from({ length: 20 }, () => sampleVcon())];
      await storage.saveMany(batch);
      const changes = await log();
      expect(sorted(uuidsOf(changes))).toEqual(sorted(batch.map((vcon) => vcon.uuid)));
      const current = changes.find((change) => change.uuid === stored.uuid)!;
      expect(JSON.parse(current.json!).subject).toBe("batched");
    });

    it("delete records one change whose json is null; deleting a missing uuid records nothing", async () => {
      const a = sampleVcon();
      await storage.save(a);
      await backend.sql("DELETE FROM vcons_changes");
      expect(await storage.delete(a.uuid)).toBe(true);
      expect(await storage.delete(sampleVcon().uuid)).toBe(false);
      const changes = await log();
      expect(changes.map(({ uuid, json }) => ({ uuid, json }))).toEqual([{ uuid: a.uuid, json: null }]);
    });

    it("writes by another client in plain SQL are recorded: INSERT, UPDATE (one and many rows, a new id), DELETE", async () => {
      const [py, other, third] = [sampleVcon(), sampleVcon(), sampleVcon()];
      await pythonInsert(py);
      let changes = await log();
      expect(uuidsOf(changes)).toEqual([py.uuid]);
      expect(JSON.parse(changes[0]!.json!)).toEqual(py);
      expect(await storage.get(py.uuid)).toEqual(py);

      const edited = { ...py, subject: "edited by Python" };
      await backend.sql("UPDATE vcons SET vcon_json = $2, updated_at = now() WHERE id = $1", [
        py.uuid,
        JSON.stringify(edited),
      ]);
      await pythonInsert(other);
      await pythonInsert(third);
      await backend.sql("DELETE FROM vcons_changes");
      // A stamp later than the inserts': PGlite's clock can give the same now() to a statement that
      // follows within its tick, and a row rewritten with nothing changed is rightly not recorded.
      await backend.sql(
        "UPDATE vcons SET updated_at = updated_at + interval '1 second' WHERE id = ANY($1::uuid[])",
        [[py.uuid, other.uuid, third.uuid]],
      );
      changes = await log();
      expect(sorted(uuidsOf(changes))).toEqual(sorted([py.uuid, other.uuid, third.uuid]));
      expect(JSON.parse(changes.find((change) => change.uuid === py.uuid)!.json!)).toEqual(edited);

      // A new id is the old uuid gone and the new one written.
      await backend.sql("DELETE FROM vcons_changes");
      const moved = sampleVcon().uuid;
      await backend.sql("UPDATE vcons SET id = $2, uuid = $2 WHERE id = $1", [other.uuid, moved]);
      changes = await log();
      expect(sorted(uuidsOf(changes))).toEqual(sorted([other.uuid, moved]));
      expect(changes.find((change) => change.uuid === other.uuid)!.json).toBeNull();
      expect(changes.find((change) => change.uuid === moved)!.json).not.toBeNull();

      await backend.sql("DELETE FROM vcons_changes");
      await backend.sql("DELETE FROM vcons WHERE id = $1", [third.uuid]);
      expect((await log()).map(({ uuid, json }) => ({ uuid, json }))).toEqual([
        { uuid: third.uuid, json: null },
      ]);
    });

    it("an update that rewrites neither the document nor updated_at records nothing: the search-key backfill", async () => {
      const unkeyed = Array.from({ length: 3 }, () => sampleVcon());
      for (const vcon of unkeyed) await pythonInsert(vcon);
      await backend.sql("DELETE FROM vcons_changes");
      const { keyed } = await adapter.backfill();
      expect(keyed).toBeGreaterThanOrEqual(3);
      await backend.sql("UPDATE vcons SET subject = 'only the subject' WHERE id = $1", [unkeyed[0]!.uuid]);
      expect(await storage.pendingChanges!()).toEqual({ count: 0, oldestMs: null });
    });

    it("TRUNCATE by another client records every uuid it removes", async () => {
      const stored = Array.from({ length: 3 }, () => sampleVcon());
      await storage.saveMany(stored);
      const present = (await backend.sql<{ id: string }>("SELECT id FROM vcons")).map((row) => row.id);
      await backend.sql("DELETE FROM vcons_changes");
      await backend.sql("TRUNCATE vcons");
      const changes = await log();
      expect(sorted(uuidsOf(changes))).toEqual(sorted(present));
      expect(changes.every((change) => change.json === null)).toBe(true);
    });

    it("a write the database refuses records nothing: a save, a saveMany chunk, one save of a group", async () => {
      const refused = sampleVcon();
      await backend.sql(REFUSE_WRITES, [refused.uuid]);
      await expect(storage.save(refused)).rejects.toSatisfy(isStorageError);
      const chunk = [sampleVcon(), refused, sampleVcon()];
      await expect(storage.saveMany(chunk)).rejects.toThrow();
      expect(await storage.get(chunk[0]!.uuid)).toBeNull();
      expect(await storage.pendingChanges!()).toEqual({ count: 0, oldestMs: null });

      const group = [...Array.from({ length: 9 }, () => sampleVcon()), refused];
      const outcomes = await Promise.allSettled(group.map((vcon) => storage.save(vcon)));
      expect(outcomes.map((outcome) => outcome.status)).toEqual([...Array(9).fill("fulfilled"), "rejected"]);
      expect(sorted(uuidsOf(await log()))).toEqual(sorted(group.slice(0, 9).map((vcon) => vcon.uuid)));
    });

    it("readChanges does not consume and stops at limit; acknowledgeChanges forgets exactly those, ignoring ids that name none", async () => {
      const vcons = Array.from({ length: 5 }, () => sampleVcon());
      for (const vcon of vcons) await storage.save(vcon);
      const first = await storage.readChanges!(3);
      expect(uuidsOf(first)).toEqual(vcons.slice(0, 3).map((vcon) => vcon.uuid));
      expect(await storage.readChanges!(3)).toEqual(first);
      const ids = first.map((change) => change.id);
      await storage.acknowledgeChanges!([
        ids[0]!,
        ids[0]!,
        ids[2]!,
        "999999999999",
        "x",
        "-1",
        "1.5",
        "",
        "99999999999999999999",
      ]);
      await adapter.acknowledgeChanges(["not a number"]);
      const left = await log();
      expect(uuidsOf(left)).toEqual([vcons[1]!.uuid, vcons[3]!.uuid, vcons[4]!.uuid]);
      expect(await storage.pendingChanges!()).toEqual({ count: 3, oldestMs: left[0]!.recordedMs });
    });

    it("recording is durable: another adapter on the database finds it on and the pending changes kept", async () => {
      const a = sampleVcon();
      const first = fromAdapter(await backend.connect({ autoMigrate: false }));
      await first.save(a);
      await first.close();
      const second = fromAdapter(await backend.connect({ autoMigrate: false }));
      try {
        const b = sampleVcon();
        await second.save(b);
        expect(uuidsOf(await second.readChanges!(100))).toEqual([a.uuid, b.uuid]);
      } finally {
        await second.close();
      }
    });

    it("recordChanges(false) drops the triggers and forgets pending changes; on again records again", async () => {
      await storage.save(sampleVcon());
      expect(await triggersOn(backend.sql)).toEqual(ALL_TRIGGERS);
      await storage.recordChanges!(false);
      expect(await triggersOn(backend.sql)).toEqual([]);
      expect(await storage.pendingChanges!()).toEqual({ count: 0, oldestMs: null });
      await storage.save(sampleVcon());
      await pythonInsert(sampleVcon());
      expect(await log()).toEqual([]);
      await storage.recordChanges!(false);
      await storage.recordChanges!(true);
      await storage.recordChanges!(true);
      expect(await triggersOn(backend.sql)).toEqual(ALL_TRIGGERS);
      const c = sampleVcon();
      await storage.save(c);
      expect(uuidsOf(await log())).toEqual([c.uuid]);
    });

    it("recordChanges(true) puts back a trigger that was dropped or disabled, so nothing goes unrecorded", async () => {
      await backend.sql("DROP TRIGGER vcon_record_deletes ON vcons");
      await backend.sql("ALTER TABLE vcons DISABLE TRIGGER vcon_record_inserts");
      await storage.recordChanges!(true);
      const [enabled] = await backend.sql<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_trigger WHERE tgrelid = 'vcons'::regclass AND tgname LIKE 'vcon_record_%' AND tgenabled = 'O'",
      );
      expect(enabled!.n).toBe(4);
      const a = sampleVcon();
      await storage.save(a);
      await storage.delete(a.uuid);
      expect(uuidsOf(await log())).toEqual([a.uuid, a.uuid]);
    });

    it("the claim lives in the database: every adapter on the table sees one holder, however many claim at once", async () => {
      await storage.recordChanges!(false);
      await storage.recordChanges!(true);
      const others = await Promise.all(Array.from({ length: 6 }, () => backend.connect()));
      try {
        const claims = await Promise.all(
          others.map((other, i) => other.claimChanges(`service ${i}`, { takeOver: false })),
        );
        const holders = new Set(claims.map((claim) => claim.holder));
        expect(
          holders.size,
          "concurrent first claims: exactly one wins, and every caller is told which",
        ).toBe(1);
        const [holder] = holders;
        expect(await storage.claimChanges!("this service")).toMatchObject({ holder });
        const [row] = await backend.sql<{ holder: string; rows: number }>(
          "SELECT max(holder) AS holder, count(*)::int AS rows FROM vcons_change_claim",
        );
        expect(row).toEqual({ holder, rows: 1 });
        // Turned off and on (`replication detach`): the next consumer claims afresh.
        await storage.recordChanges!(false);
        await storage.recordChanges!(true);
        expect(await storage.claimChanges!("this service")).toMatchObject({ holder: "this service" });
      } finally {
        await Promise.all(others.map((other) => other.close()));
        await storage.recordChanges!(false);
        await storage.recordChanges!(true);
      }
    });

    it("a custom schema and table get a change log of their own, in that schema", async () => {
      const custom = fromAdapter(await backend.connect({ schema: "archive", table: "calls" }));
      try {
        await custom.recordChanges!(true);
        const vcon = sampleVcon();
        await custom.save(vcon);
        await storage.save(sampleVcon());
        expect(uuidsOf(await custom.readChanges!(100))).toEqual([vcon.uuid]);
        const [where] = await backend.sql<Record<string, boolean>>(
          `SELECT to_regclass('archive.calls_changes') IS NOT NULL AS log,
                  to_regclass('archive.calls_change_claim') IS NOT NULL AS claim,
                  to_regclass('public.calls_changes') IS NULL AS not_in_public,
                  to_regprocedure('archive.calls_record_changes()') IS NOT NULL AS recorder`,
        );
        expect(where).toEqual({ log: true, claim: true, not_in_public: true, recorder: true });
        expect(await custom.claimChanges!("archive consumer")).toMatchObject({ holder: "archive consumer" });
        expect(await storage.claimChanges!("public consumer")).toMatchObject({ holder: "public consumer" });
        expect(await triggersOn(backend.sql, "archive.calls")).toEqual(ALL_TRIGGERS);
        expect(uuidsOf(await log())).not.toContain(vcon.uuid);
        await custom.recordChanges!(false);
        expect(await triggersOn(backend.sql, "archive.calls")).toEqual([]);
        expect(await triggersOn(backend.sql)).toEqual(ALL_TRIGGERS);
      } finally {
        await custom.close();
      }
    });
  });
}

// The server at POSTGRES_URL, or the embedded one the global setup started; a database of our own on it.
let database: TestDatabase;
describeChangeLog("a server", {
  setup: async () => {
    database = await createTestDatabase("changes");
    return {
      connect: (options = {}) => PostgresAdapter.connect({ url: database.url, poolSize: 4, ...options }),
      sql: <R extends Row>(text: string, values?: unknown[]) => sqlRows<R>(database.url, text, values),
    };
  },
  teardown: () => database?.drop(),
});

let pglite: PGlite;
describeChangeLog("PGlite", {
  setup: async () => {
    pglite = await PGlite.create({ extensions: { pg_trgm } });
    return {
      connect: (options = {}) => PostgresAdapter.connect({ pglite, ...options }),
      sql: async <R extends Row>(text: string, values?: unknown[]) =>
        (await pglite.query<R>(text, values)).rows,
    };
  },
  teardown: async () => {
    await pglite?.close();
  },
});

describe("the change log of an embedded database in a folder", () => {
  it("stays on across a restart, with its pending changes", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "vcon-changes-"));
    try {
      const [a, b] = [sampleVcon(), sampleVcon()];
      const before = fromAdapter(await PostgresAdapter.connect({ embedded: { dataDir } }));
      await before.recordChanges!(true);
      await before.save(a);
      await before.close();
      const after = fromAdapter(await PostgresAdapter.connect({ embedded: { dataDir } }));
      try {
        await after.save(b);
        expect(uuidsOf(await after.readChanges!(100))).toEqual([a.uuid, b.uuid]);
      } finally {
        await after.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe("the change log on a server, with a least-privileged application role", () => {
  let database: TestDatabase;
  let owner: VconStorage;
  const role = {
    user: `vcon_changes_app_${randomBytes(4).toString("hex")}`,
    password: randomBytes(12).toString("hex"),
  };
  let appUrl: string;
  const ownerSql: Backend["sql"] = <R extends Row>(text: string, values?: unknown[]) =>
    sqlRows<R>(database.url, text, values);
  const infos: string[] = [];
  const logger: Logger = { ...silentLogger, info: (_object, message) => void infos.push(message ?? "") };

  beforeAll(async () => {
    database = await createTestDatabase("changes_roles");
    owner = fromAdapter(await PostgresAdapter.connect({ url: database.url }));
    await sqlRows(database.url, `CREATE ROLE ${role.user} LOGIN PASSWORD '${role.password}'`);
    // Rows only: no DDL, no TEMPORARY (so saveMany takes the unnest path), no INSERT on the change log.
    for (const statement of [
      `REVOKE TEMPORARY ON DATABASE "${database.name}" FROM PUBLIC`,
      `GRANT CONNECT ON DATABASE "${database.name}" TO ${role.user}`,
      `GRANT USAGE ON SCHEMA public TO ${role.user}`,
      `GRANT SELECT, INSERT, UPDATE, DELETE ON vcons TO ${role.user}`,
      `GRANT SELECT, DELETE ON vcons_changes TO ${role.user}`,
    ])
      await sqlRows(database.url, statement);
    const url = new URL(database.url);
    url.username = role.user;
    url.password = role.password;
    appUrl = url.toString();
  });
  afterAll(async () => {
    await owner?.close();
    await database?.drop();
    await sqlRows(await getPostgresUrl(), `DROP ROLE IF EXISTS ${role.user}`);
  });

  it("turns it on only with the owner; then confirms it without DDL, and its writes record without rights on the log", async () => {
    const app = fromAdapter(await PostgresAdapter.connect({ url: appUrl, autoMigrate: false }, logger));
    try {
      const refused = await app.recordChanges!(true).catch((error: unknown) => error);
      expect(isStorageError(refused, "UNAVAILABLE")).toBe(true);
      expect((refused as Error).message).toMatch(/role that runs the migrations/);
      expect(await triggersOn(ownerSql)).toEqual([]);

      await owner.recordChanges!(true);
      await app.recordChanges!(true);
      const [saved, stored, ...batch] = Array.from({ length: 5 }, () => sampleVcon());
      await app.save(saved!);
      await app.save(stored!);
      await app.saveMany(batch);
      expect(infos.some((message) => message.includes("no TEMPORARY privilege"))).toBe(true);
      await app.delete(stored!.uuid);
      const changes = await app.readChanges!(100);
      const uuids = uuidsOf(changes);
      expect(uuids).toEqual([saved!.uuid, stored!.uuid, ...uuids.slice(2, 5), stored!.uuid]);
      expect(sorted(uuids.slice(2, 5))).toEqual(sorted(batch.map((vcon) => vcon.uuid)));
      await app.acknowledgeChanges!(changes.map((change) => change.id));
      expect(await app.pendingChanges!()).toEqual({ count: 0, oldestMs: null });

      // Turning it off drops triggers: the owner's job too.
      expect(
        isStorageError(await app.recordChanges!(false).catch((error: unknown) => error), "UNAVAILABLE"),
      ).toBe(true);
      expect(await owner.pendingChanges!()).toEqual({ count: 0, oldestMs: null });
    } finally {
      await app.close();
    }
  });

  it("recordChanges(true) from many adapters at once, and with recording off: all succeed, four triggers", async () => {
    await owner.recordChanges!(false);
    const adapters = await Promise.all(
      Array.from({ length: 6 }, () =>
        PostgresAdapter.connect({ url: database.url, autoMigrate: false, poolSize: 1 }),
      ),
    );
    try {
      await Promise.all(adapters.map((each) => each.recordChanges(true)));
      expect(await triggersOn(ownerSql)).toEqual(ALL_TRIGGERS);
    } finally {
      await Promise.all(adapters.map((each) => each.close()));
    }
  });

  it("without migration 0003 (autoMigrate off on an older table), recordChanges(true) says to run the migrations", async () => {
    await sqlRows(database.url, "DROP FUNCTION vcons_record_changes() CASCADE");
    try {
      const error = await owner.recordChanges!(true).catch((caught: unknown) => caught);
      expect(isStorageError(error, "UNAVAILABLE")).toBe(true);
      expect((error as Error).message).toMatch(/run the migrations/);
    } finally {
      await sqlRows(database.url, "DELETE FROM vcons_migrations WHERE tag = '0003_change_log'");
      await owner.close();
      owner = fromAdapter(await PostgresAdapter.connect({ url: database.url }));
    }
    await owner.recordChanges!(true);
    expect(await triggersOn(ownerSql)).toEqual(ALL_TRIGGERS);
  });
});
