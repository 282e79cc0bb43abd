import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { AdapterRegistry, fromAdapter, isStorageError, parseOptions, silentLogger } from "@vcon/storage-core";
import { createTestDatabase, sqlRows, type TestDatabase } from "@vcon/test-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adapter, loadMigrations, migrate, PostgresAdapter, tableName } from "../src/index.js";
import { retarget } from "../src/sql/migrations.js";
import { PYTHON_TABLE_DDL, sampleVcon } from "./helpers.js";

const ALL = ["0000_init", "0001_signed_parties", "0002_search_keys", "0003_change_log", "0004_change_claim"];
/** Every index the migrations make (with pg_trgm, as on the servers tests use), after the prefix. */
const INDEXES = [
  "created_at_idx",
  "mailtos_idx",
  "party_names_idx",
  "search_text_idx",
  "subject_key_idx",
  "tags_idx",
  "tels_idx",
  "unkeyed_idx",
  "uuid_idx",
];
const indexesNamed = (table: string) =>
  [...INDEXES.map((name) => `${table}_${name}`), `${table}_pkey`].sort();

/** Where the change log of `schema.table` and its trigger function are (migration 0003). */
async function changeLogOf(url: string, table: string, schema = "public") {
  const [row] = await sqlRows<{ log: string | null; recorder: string | null }>(
    url,
    "SELECT to_regclass($1)::text AS log, to_regprocedure($2)::text AS recorder",
    [`"${schema}"."${table}_changes"`, `"${schema}"."${table}_record_changes"()`],
  );
  return row;
}

async function indexesOf(url: string, table: string, schema = "public") {
  const rows = await sqlRows<{ indexname: string }>(
    url,
    "SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY indexname",
    [schema, table],
  );
  return rows.map((row) => row.indexname);
}

describe("migrations on a server", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase("migrations");
  });
  afterAll(() => database?.drop());

  it("from empty: creates the table and its indexes, and records what it applied", async () => {
    expect(await migrate({ url: database.url })).toEqual({ applied: ALL });
    expect(await indexesOf(database.url, "vcons")).toEqual(indexesNamed("vcons"));
    expect(await changeLogOf(database.url, "vcons")).toEqual({
      log: "vcons_changes",
      recorder: "vcons_record_changes()",
    });
    const journal = await sqlRows<{ tag: string }>(
      database.url,
      "SELECT tag FROM vcons_migrations ORDER BY tag",
    );
    expect(journal.map((row) => row.tag)).toEqual(ALL);
  });

  it("re-runs apply nothing and change nothing", async () => {
    expect(await migrate({ url: database.url })).toEqual({ applied: [] });
    expect(await migrate({ url: database.url })).toEqual({ applied: [] });
  });

  it("concurrent starts apply each migration exactly once", async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, () => migrate({ url: database.url, table: "raced" })),
    );
    expect(results.flatMap((result) => result.applied).sort()).toEqual(ALL);
  });

  it("custom schema and table names get their own table, indexes, change log and journal", async () => {
    await migrate({ url: database.url, schema: "archive", table: "calls" });
    expect(await indexesOf(database.url, "calls", "archive")).toEqual(indexesNamed("calls"));
    expect(await changeLogOf(database.url, "calls", "archive")).toEqual({
      log: "archive.calls_changes",
      recorder: "archive.calls_record_changes()",
    });
    expect(await changeLogOf(database.url, "calls")).toEqual({ log: null, recorder: null });
    const storage = fromAdapter(
      await PostgresAdapter.connect({ url: database.url, schema: "archive", table: "calls" }),
    );
    const vcon = sampleVcon();
    await storage.save(vcon);
    expect(await storage.get(vcon.uuid)).toEqual(vcon);
    await storage.close();
    const [count] = await sqlRows<{ n: string }>(database.url, "SELECT count(*) AS n FROM archive.calls");
    expect(count?.n).toBe("1");
  });

  it("from a Python-module table: adopts it, keeps its rows and column types", async () => {
    const python = await createTestDatabase("migrations_python");
    try {
      await sqlRows(python.url, PYTHON_TABLE_DDL);
      const legacy = sampleVcon();
      await sqlRows(
        python.url,
        "INSERT INTO vcons (id, vcon, uuid, created_at, vcon_json) VALUES ($1, '0.0.1', $1, now(), $2)",
        [legacy.uuid, JSON.stringify(legacy)],
      );
      expect(await migrate({ url: python.url })).toEqual({ applied: ALL });
      const [createdAt] = await sqlRows<{ data_type: string }>(
        python.url,
        "SELECT data_type FROM information_schema.columns WHERE table_name = 'vcons' AND column_name = 'created_at'",
      );
      expect(createdAt?.data_type).toBe("timestamp without time zone");
      expect(await indexesOf(python.url, "vcons")).toEqual(indexesNamed("vcons"));
      expect((await changeLogOf(python.url, "vcons"))?.log).toBe("vcons_changes");
      const storage = fromAdapter(await PostgresAdapter.connect({ url: python.url, autoMigrate: false }));
      expect(await storage.get(legacy.uuid)).toEqual(legacy);
      // The adopted table records its changes too.
      await storage.recordChanges?.(true);
      await storage.delete(legacy.uuid);
      expect((await storage.readChanges?.(10))?.map(({ uuid, json }) => ({ uuid, json }))).toEqual([
        { uuid: legacy.uuid, json: null },
      ]);
      await storage.close();
    } finally {
      await python.drop();
    }
  });

  it("with autoMigrate off, a missing table is a clear error that says to run migrate", async () => {
    const error = await PostgresAdapter.connect({
      url: database.url,
      table: "never_made",
      autoMigrate: false,
    }).catch((caught: unknown) => caught);
    expect(isStorageError(error, "UNAVAILABLE")).toBe(true);
    expect((error as Error).message).toMatch(/never_made.*does not exist.*migrate\(\)/);
  });

  it("refuses schema and table names that are not plain identifiers", async () => {
    for (const table of ['vcons"; DROP TABLE vcons; --', "1table", "a-b", ""]) {
      const error = await migrate({ url: database.url, table }).catch((caught: unknown) => caught);
      expect(isStorageError(error, "VALIDATION")).toBe(true);
    }
    expect(await indexesOf(database.url, "vcons")).toEqual(indexesNamed("vcons"));
  });

  it("through the adapter definition: what tools such as the example app's `migrate` call", async () => {
    const registry = new AdapterRegistry().register(adapter);
    const definition = await registry.resolve("postgres");
    const options = await parseOptions(definition, { url: database.url, table: "by_definition" });
    const context = { name: "primary", logger: silentLogger };
    expect(await definition.migrate?.(options, context)).toEqual({ applied: ALL });
    expect(await definition.migrate?.(options, context)).toEqual({ applied: [] });
    const storage = await registry.create({
      adapter: "postgres",
      options: { url: database.url, table: "by_definition", autoMigrate: false },
    });
    const vcon = sampleVcon();
    await storage.save(vcon);
    expect(await storage.get(vcon.uuid)).toEqual(vcon);
    await storage.close();
  });
});

describe("migrations on PGlite", () => {
  it("apply from empty and re-run idempotently in an embedded database", async () => {
    const pglite = await PGlite.create({ extensions: { pg_trgm } });
    try {
      const first = await PostgresAdapter.open({ pglite });
      expect(await first.migrate()).toEqual({ applied: ALL });
      expect(await first.migrate()).toEqual({ applied: [] });
      await first.close();
      expect(pglite.closed).toBe(false);
      const { rows } = await pglite.query<{ indexname: string }>(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'vcons' ORDER BY indexname",
      );
      expect(rows.map((row) => row.indexname)).toEqual(indexesNamed("vcons"));
    } finally {
      await pglite.close();
    }
  });

  it("a caller's PGlite without pg_trgm migrates too, and substring search works unindexed", async () => {
    const pglite = await PGlite.create();
    try {
      const storage = fromAdapter(await PostgresAdapter.connect({ pglite }));
      const vcon = sampleVcon();
      await storage.save(vcon);
      expect((await storage.search({ name: "lic" })).items.map((item) => item.uuid)).toEqual([vcon.uuid]);
      expect((await storage.search({ text: "billing" })).items.map((item) => item.uuid)).toEqual([vcon.uuid]);
      await storage.close();
      const { rows } = await pglite.query<{ indexname: string }>(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'vcons' AND indexdef LIKE '%gin_trgm_ops%'",
      );
      expect(rows).toEqual([]);
    } finally {
      await pglite.close();
    }
  });
});

describe("the shipped SQL", () => {
  it("is rewritten for the target: qualified names and IF NOT EXISTS everywhere", async () => {
    const migrations = await loadMigrations(tableName("archive", "calls"));
    const statements = migrations.flatMap((migration) => migration.statements);
    expect(statements.join("\n")).not.toMatch(/"vcons/);
    // The change log and everything naming it land in the target schema, never unqualified.
    expect(statements.join("\n")).toContain('CREATE TABLE IF NOT EXISTS "archive"."calls_changes"');
    expect(statements.join("\n")).toContain('INSERT INTO "archive"."calls_changes"');
    expect(statements.join("\n")).not.toMatch(/(?<!\.)"calls_changes"/);
    for (const statement of statements) {
      expect(statement).toMatch(
        /^(CREATE (TABLE|INDEX) IF NOT EXISTS|DROP INDEX IF EXISTS|ALTER TABLE .* ADD COLUMN IF NOT EXISTS|CREATE OR REPLACE (FUNCTION "archive"\.|TRIGGER)|(-- .*\n)*DO \$\$)/,
      );
    }
  });
});

describe("retargeting", () => {
  it("rewrites each name once, so a table named vcons_... does not get its prefix twice", () => {
    const target = tableName("public", "vcons_archive");
    expect(retarget('CREATE OR REPLACE FUNCTION "public"."vcons_keys_stale"()', target)).toBe(
      'CREATE OR REPLACE FUNCTION "public"."vcons_archive_keys_stale"()',
    );
    expect(retarget('INSERT INTO "vcons_changes" (uuid) SELECT id FROM "vcons"', target)).toBe(
      'INSERT INTO "public"."vcons_archive_changes" (uuid) SELECT id FROM "public"."vcons_archive"',
    );
    expect(
      retarget('CONSTRAINT "vcons_change_claim_singleton" CHECK ("vcons_change_claim"."singleton")', target),
    ).toBe(
      'CONSTRAINT "vcons_archive_change_claim_singleton" CHECK ("public"."vcons_archive_change_claim"."singleton")',
    );
    expect(retarget('CREATE INDEX "vcons_uuid_idx" ON "vcons" USING btree ("uuid")', target)).toBe(
      'CREATE INDEX IF NOT EXISTS "vcons_archive_uuid_idx" ON "public"."vcons_archive" USING btree ("uuid")',
    );
  });
});
