import { fromAdapter } from "@vcon/storage-core";
import { createTestDatabase, sqlRows, type TestDatabase } from "@vcon/test-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresAdapter } from "../src/index.js";
import { PYTHON_TABLE_DDL, peeweeAvailable, python, sampleVcon } from "./helpers.js";

const hasPeewee = peeweeAvailable();
if (!hasPeewee && process.env.CI === "true") {
  throw new Error(
    "CI needs Debian's python3-peewee and python3-psycopg2 for the vcon-server compatibility test",
  );
}

describe.skipIf(!hasPeewee)("with vcon-server's Python module (peewee) on the same table", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase("python_compat");
    python(database.url, "create");
  });
  afterAll(() => database?.drop());

  it("reads rows the module wrote, whose vcon column holds only the version string", async () => {
    const written = sampleVcon();
    python(database.url, "save", written);
    const [row] = await sqlRows<{ vcon: string }>(database.url, "SELECT vcon FROM vcons WHERE id = $1", [
      written.uuid,
    ]);
    expect(row?.vcon).toBe("0.0.1");

    const storage = fromAdapter(await PostgresAdapter.connect({ url: database.url }));
    try {
      expect(await storage.get(written.uuid)).toEqual(written);
      const tel = written.parties?.[0]?.tel as string;
      expect((await storage.search({ tel })).items).toEqual([written]);
    } finally {
      await storage.close();
    }
  });

  it("writes rows the module reads back by id, and the module's upserts over them stay readable", async () => {
    const storage = fromAdapter(await PostgresAdapter.connect({ url: database.url }));
    try {
      const ours = sampleVcon({ subject: "written by TypeScript" });
      await storage.save(ours);
      expect(JSON.parse(python(database.url, "get", ours.uuid))).toEqual(ours);

      const updatedByPython = { ...ours, subject: "updated by Python" };
      python(database.url, "save", updatedByPython);
      expect(await storage.get(ours.uuid)).toEqual(updatedByPython);
      expect(JSON.parse(python(database.url, "get", ours.uuid))).toEqual(updatedByPython);
    } finally {
      await storage.close();
    }
  });

  it("adopts the table without changing the module's column types, adding only nullable search-key columns", async () => {
    const columns = await sqlRows<{ column_name: string; data_type: string; is_nullable: string }>(
      database.url,
      "SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = 'vcons' ORDER BY ordinal_position",
    );
    const described = columns.map((c) => [c.column_name, c.data_type]);
    // The module's own columns come first, in its order and with its types.
    expect(described.slice(0, 8)).toEqual([
      ["id", "uuid"],
      ["vcon", "text"],
      ["uuid", "uuid"],
      ["created_at", "timestamp without time zone"],
      ["updated_at", "timestamp without time zone"],
      ["subject", "text"],
      ["vcon_json", "jsonb"],
      ["parties", "jsonb"],
    ]);
    // Migration 0002's search keys: nullable, so the module's inserts that never name them keep working.
    expect(described.slice(8)).toEqual([
      ["tels", "ARRAY"],
      ["mailtos", "ARRAY"],
      ["party_names", "text"],
      ["subject_key", "text"],
      ["search_text", "text"],
      ["tags", "ARRAY"],
      ["keyed_at", "timestamp with time zone"],
    ]);
    expect(columns.slice(8).every((c) => c.is_nullable === "YES")).toBe(true);
  });
});

describe("on a table laid out exactly as the Python module makes it (plain SQL)", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase("python_layout");
    await sqlRows(database.url, PYTHON_TABLE_DDL);
  });
  afterAll(() => database?.drop());

  it("reads a module-style row and answers searches over it", async () => {
    const legacy = sampleVcon();
    await sqlRows(
      database.url,
      "INSERT INTO vcons (id, vcon, uuid, created_at, updated_at, subject, vcon_json) VALUES ($1, '0.0.1', $1, $2, NULL, NULL, $3)",
      [legacy.uuid, "2024-03-01 10:00:00", JSON.stringify(legacy)],
    );
    const storage = fromAdapter(await PostgresAdapter.connect({ url: database.url }));
    try {
      expect(await storage.get(legacy.uuid)).toEqual(legacy);
      const page = await storage.search({
        tel: legacy.parties?.[0]?.tel as string,
        since: "2024-03-01T00:00:00Z",
      });
      expect(page.items).toEqual([legacy]);
      const exported = [];
      for await (const document of storage.export()) exported.push(document);
      expect(exported).toContainEqual(legacy);
    } finally {
      await storage.close();
    }
  });

  it("writes rows whose vcon_json is the document, as the module reads it", async () => {
    const storage = fromAdapter(await PostgresAdapter.connect({ url: database.url }));
    try {
      const ours = sampleVcon();
      await storage.save(ours);
      const [row] = await sqlRows<{ vcon_json: unknown; uuid: string; subject: string }>(
        database.url,
        "SELECT vcon_json, uuid, subject FROM vcons WHERE id = $1",
        [ours.uuid],
      );
      expect(row).toEqual({ vcon_json: ours, uuid: ours.uuid, subject: ours.subject });
    } finally {
      await storage.close();
    }
  });
});
