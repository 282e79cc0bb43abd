import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createStorage,
  fromAdapter,
  isStorageError,
  type StorageError,
  silentLogger,
} from "@vcon/storage-core";
import { expectNoMatchAcrossValues, expectReferenceAnswers } from "@vcon/storage-core/conformance";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { adapter, parseSqliteOptions, SqliteAdapter } from "../src/index.js";

const folder = mkdtempSync(join(tmpdir(), "vcon-sqlite-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(folder, `t${files++}.sqlite`);

async function rejection(promise: Promise<unknown>): Promise<StorageError> {
  const error = await promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
  if (!isStorageError(error)) throw error;
  return error;
}

const uuid = (n: number) => `0194c3a2-7b1e-8f3d-9a2c-${String(n).padStart(12, "0")}`;

describe("sqlite search semantics", () => {
  it("answers every collation trap exactly as core's reference (file)", async () => {
    const storage = fromAdapter(new SqliteAdapter({ path: freshPath() }));
    try {
      await expectReferenceAnswers(storage);
    } finally {
      await storage.close();
    }
  });

  it("answers every collation trap exactly as core's reference (:memory:)", async () => {
    const storage = fromAdapter(new SqliteAdapter());
    try {
      await expectReferenceAnswers(storage);
    } finally {
      await storage.close();
    }
  });

  it("a match never spans two names or two text pieces stored in one row", async () => {
    const storage = fromAdapter(new SqliteAdapter({ path: freshPath() }));
    try {
      await expectNoMatchAcrossValues(storage);
    } finally {
      await storage.close();
    }
  });

  it("an update rewrites the side table: old keys are gone, new ones indexed", async () => {
    const path = freshPath();
    const storage = fromAdapter(new SqliteAdapter({ path }));
    try {
      await storage.save({
        uuid: uuid(1),
        subject: "Old",
        parties: [{ tel: "+1", name: "Ann" }, { tel: "+2" }],
      });
      await storage.save({ uuid: uuid(1), subject: "New", parties: [{ tel: "+3" }] });
      const raw = new Database(path, { readonly: true });
      const rows = raw
        .prepare("SELECT kind, count(*) AS n FROM vcons_keys GROUP BY kind ORDER BY kind")
        .all();
      raw.close();
      expect(rows).toStrictEqual([
        { kind: "s", n: 1 },
        { kind: "t", n: 1 },
        { kind: "x", n: 1 },
      ]);
      expect((await storage.search({ tel: "+1" })).items).toStrictEqual([]);
      expect((await storage.search({ tel: "+3" })).items).toHaveLength(1);
    } finally {
      await storage.close();
    }
  });
});

describe("sqlite export", () => {
  it("reads a file from one snapshot: writes during the export are not seen, deletes do not hide documents", async () => {
    const storage = fromAdapter(new SqliteAdapter({ path: freshPath() }));
    try {
      await storage.saveMany(
        [1, 2, 3, 4, 5].map((n) => ({ uuid: uuid(n), created_at: `2026-01-0${n}T00:00:00Z`, parties: [] })),
      );
      const seen: string[] = [];
      for await (const vcon of storage.export({ batchSize: 2 })) {
        seen.push(vcon.uuid as string);
        if (seen.length === 1) {
          await storage.delete(uuid(4));
          await storage.save({ uuid: uuid(9), created_at: "2026-01-09T00:00:00Z", parties: [] });
          await storage.save({
            uuid: uuid(5),
            created_at: "2026-01-05T00:00:00Z",
            subject: "changed",
            parties: [],
          });
        }
      }
      expect(seen).toStrictEqual([1, 2, 3, 4, 5].map(uuid));
      expect(await storage.exists(uuid(4))).toBe(false);
    } finally {
      await storage.close();
    }
  });

  it("closing the storage ends a running export and releases its connection", async () => {
    const adapterInstance = new SqliteAdapter({ path: freshPath() });
    const storage = fromAdapter(adapterInstance);
    await storage.saveMany([1, 2, 3].map((n) => ({ uuid: uuid(n), parties: [] })));
    const iterator = adapterInstance
      .export({ batchSize: 1, signal: new AbortController().signal })
      [Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    await storage.close();
    expect((await iterator.next()).done).toBe(true);
  });
});

describe("sqlite options and errors", () => {
  it("is selectable by name and creates the file's folders", async () => {
    const path = join(folder, "nested", "deeper", "by-name.sqlite");
    const storage = await createStorage({ adapter: "sqlite", options: { path } });
    try {
      await storage.save({ uuid: uuid(1), parties: [] });
      expect(await storage.exists(uuid(1))).toBe(true);
    } finally {
      await storage.close();
    }
  });

  it("rejects a table name that is not a plain identifier, naming the field", async () => {
    const error = await rejection(
      Promise.resolve().then(() => new SqliteAdapter({ table: "x; DROP TABLE y" })),
    );
    expect(error.code).toBe("VALIDATION");
    expect(error.message).toContain("options.table");
  });

  it("a file that is not a database is INTERNAL naming options.path", async () => {
    const path = join(folder, "not-a-db.sqlite");
    writeFileSync(path, "this is not sqlite ".repeat(100));
    const storage = fromAdapter(new SqliteAdapter({ path }));
    const error = await rejection(storage.get(uuid(1)));
    expect(error.code).toBe("INTERNAL");
    expect(error.message).toContain("options.path");
    await storage.close();
  });

  it.skipIf(process.getuid?.() === 0)(
    "an unwritable folder is UNAVAILABLE, not retryable, naming the fix",
    async () => {
      const locked = join(folder, "locked");
      rmSync(locked, { recursive: true, force: true });
      const { mkdirSync } = await import("node:fs");
      mkdirSync(locked);
      chmodSync(locked, 0o500);
      const storage = fromAdapter(new SqliteAdapter({ path: join(locked, "db.sqlite") }));
      const error = await rejection(storage.save({ uuid: uuid(1), parties: [] }));
      expect(error.code).toBe("UNAVAILABLE");
      expect(error.retryable).toBe(false);
      await storage.close();
      chmodSync(locked, 0o700);
    },
  );

  it("a write lock held by another connection past busyTimeoutMs is UNAVAILABLE and retryable", async () => {
    const path = freshPath();
    const storage = fromAdapter(new SqliteAdapter({ path, busyTimeoutMs: 100 }));
    await storage.save({ uuid: uuid(1), parties: [] });
    const other = new Database(path);
    other.prepare("BEGIN IMMEDIATE").run();
    try {
      const error = await rejection(storage.save({ uuid: uuid(2), parties: [] }));
      expect(error.code).toBe("UNAVAILABLE");
      expect(error.retryable).toBe(true);
      expect(error.message).toContain("busyTimeoutMs");
      // Reads go on while another connection writes (WAL).
      expect(await storage.exists(uuid(1))).toBe(true);
    } finally {
      other.prepare("ROLLBACK").run();
      other.close();
    }
    await storage.save({ uuid: uuid(2), parties: [] });
    expect(await storage.exists(uuid(2))).toBe(true);
    await storage.close();
  });

  it("runs in WAL mode with the configured busy timeout and synchronous level", async () => {
    const path = freshPath();
    const storage = fromAdapter(new SqliteAdapter({ path, synchronous: "normal" }));
    await storage.save({ uuid: uuid(1), parties: [] });
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
    raw.close();
    await storage.close();
  });

  it("migrate() applies the schema once and reports it; a newer schema is refused", async () => {
    const path = freshPath();
    const report = await adapter.migrate!(parseSqliteOptions({ path }), { name: "m", logger: silentLogger });
    expect(report).toStrictEqual({ applied: ["0001_documents_and_keys"] });
    const again = new SqliteAdapter({ path });
    expect(await again.migrate()).toStrictEqual({ applied: [] });
    await again.close();
    const raw = new Database(path);
    raw.prepare("INSERT INTO vcons_migrations (version, name, applied_ms) VALUES (99, 'future', 0)").run();
    raw.close();
    const newer = fromAdapter(new SqliteAdapter({ path }));
    const error = await rejection(newer.get(uuid(1)));
    expect(error.code).toBe("UNAVAILABLE");
    expect(error.message).toContain("upgrade the package");
    await newer.close();
  });

  it("calls on a closed bare adapter reject with CLOSED", async () => {
    const bare = new SqliteAdapter({ path: freshPath() });
    await bare.open();
    await bare.close();
    const error = await rejection(bare.get(uuid(1)));
    expect(error.code).toBe("CLOSED");
  });
});
