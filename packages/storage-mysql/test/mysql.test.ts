import { inspect } from "node:util";
import {
  AdapterRegistry,
  fromAdapter,
  isStorageError,
  type StorageError,
  silentLogger,
} from "@vcon/storage-core";
import { expectNoMatchAcrossValues, expectReferenceAnswers } from "@vcon/storage-core/conformance";
import type mysql from "mysql2/promise";
import { afterAll, beforeAll, expect, it } from "vitest";
import { adapter, MysqlAdapter, parseMysqlOptions, resolveTarget } from "../src/index.js";
import { describeWithMysql, skipDecision, testDatabase } from "./mysql-env.js";

const database = testDatabase("adapter");
let tables = 0;
const fresh = (options: Record<string, unknown> = {}) =>
  new MysqlAdapter({ url: database.url, table: `a${tables++}`, ...options });
const uuid = (n: number) => `0194c3a2-7b1e-8f3d-9a2c-${String(n).padStart(12, "0")}`;

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

// Options resolve without a server.
it("options: url, parts and MYSQL_* variables merge with explicit options first", () => {
  const env = { MYSQL_URL: "mysql://envuser:envpass@envhost:3307/envdb", MYSQL_HOST: "hostvar" };
  expect(resolveTarget(parseMysqlOptions({}), env)).toStrictEqual({
    host: "hostvar",
    port: 3307,
    user: "envuser",
    password: "envpass",
    database: "envdb",
  });
  // An explicit url never borrows MYSQL_URL's password.
  expect(resolveTarget(parseMysqlOptions({ url: "mysql://me@db.example:3306/vcons" }), env)).toMatchObject({
    user: "me",
    password: "",
    database: "vcons",
  });
  expect(resolveTarget(parseMysqlOptions({ url: "mysql://a:b@h/d", database: "other" }), {})).toMatchObject({
    host: "h",
    port: 3306,
    database: "other",
  });
});

it("options: bad values are VALIDATION naming the field; a bad URL is never echoed", () => {
  for (const [options, path] of [
    [{ table: "vcons; DROP TABLE x" }, "options.table"],
    [{ poolSize: 0 }, "options.poolSize"],
    [{ nope: 1 }, "options"],
  ] as const) {
    let error: unknown;
    try {
      new MysqlAdapter(options as never);
    } catch (caught) {
      error = caught;
    }
    expect(isStorageError(error, "VALIDATION"), JSON.stringify(options)).toBe(true);
    expect((error as Error).message).toContain(path);
  }
  let error: unknown;
  try {
    new MysqlAdapter({ url: "postgres://user:Sup3r-Secret@host/db" });
  } catch (caught) {
    error = caught;
  }
  expect(isStorageError(error, "VALIDATION")).toBe(true);
  expect((error as Error).message).not.toContain("Sup3r-Secret");
});

it("by name with the server down: the storage starts, calls are UNAVAILABLE, and the warning holds no password", async () => {
  const warnings: unknown[] = [];
  const logger = {
    ...silentLogger,
    warn: (object: object, message?: string) => warnings.push([object, message]),
  };
  const storage = await new AdapterRegistry().register(adapter).create({
    adapter: "mysql",
    options: { url: "mysql://root:Sup3r-Secret@127.0.0.1:1/vcon", connectTimeoutMs: 1000 },
    logger,
  });
  expect((await rejection(storage.exists(uuid(1)))).code).toBe("UNAVAILABLE");
  expect(warnings.length).toBeGreaterThan(0);
  expect(inspect(warnings, { depth: 10 })).not.toContain("Sup3r-Secret");
  await storage.close();
});

it("without a server the tests skip with the reason, but CI=true fails the run", () => {
  expect(skipDecision(null, {})).toBeNull();
  expect(skipDecision("ECONNREFUSED", { MYSQL_URL: "mysql://u:Sup3r-Secret@db:3306/x" })).toMatch(
    /^no MySQL\/MariaDB at MYSQL_URL mysql:\/\/u:\*\*\*@db:3306\/x \(ECONNREFUSED\)$/,
  );
  expect(() => skipDecision("ECONNREFUSED", { CI: "true" })).toThrow(/CI=true/);
});

it("an unreachable server is UNAVAILABLE within connectTimeoutMs, without the password", async () => {
  const storage = fromAdapter(
    new MysqlAdapter({ url: "mysql://root:Sup3r-Secret@127.0.0.1:1/vcon", connectTimeoutMs: 1000 }),
  );
  const started = Date.now();
  const error = await rejection(storage.get(uuid(1)));
  expect(Date.now() - started).toBeLessThan(5000);
  expect(error.code).toBe("UNAVAILABLE");
  expect(error.retryable).toBe(true);
  expect(`${error.message} ${inspect(error)} ${inspect(storage)}`).not.toContain("Sup3r-Secret");
  await storage.close();
});

await describeWithMysql("mysql adapter", () => {
  let raw: mysql.Connection;
  beforeAll(async () => {
    await database.create();
    raw = await database.connect();
  });
  afterAll(async () => {
    await raw?.end();
    await database.drop();
  });

  it("answers every collation trap exactly as core's reference (PAD SPACE, folding, lone surrogates)", async () => {
    const storage = fromAdapter(await MysqlAdapter.connect({ url: database.url, table: `a${tables++}` }));
    try {
      await expectReferenceAnswers(storage);
    } finally {
      await storage.close();
    }
  });

  it("a match never spans two names or two text pieces stored in one row", async () => {
    const storage = fromAdapter(await MysqlAdapter.connect({ url: database.url, table: `a${tables++}` }));
    try {
      await expectNoMatchAcrossValues(storage);
    } finally {
      await storage.close();
    }
  });

  it("wrong credentials are UNAVAILABLE, not retryable, naming the fix and never the password", async () => {
    const url = new URL(database.url);
    url.password = "Wr0ng-Secret";
    const storage = fromAdapter(new MysqlAdapter({ url: url.toString() }));
    const error = await rejection(storage.get(uuid(1)));
    expect(error.code).toBe("UNAVAILABLE");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("MYSQL_PASSWORD");
    expect(`${error.message} ${inspect(error, { depth: 5 })} ${JSON.stringify(storage)}`).not.toContain(
      "Wr0ng-Secret",
    );
    await storage.close();
  });

  it("ssl against a server without TLS is UNAVAILABLE, not retryable, naming options.ssl", async (context) => {
    // have_ssl is gone from newer MySQL: no row then, and the connection attempt below decides.
    const [rows] = (await raw.query("SHOW VARIABLES LIKE 'have_ssl'")) as unknown as [
      Array<{ Value: string }>,
    ];
    if (rows[0]?.Value !== "DISABLED")
      context.skip("this server may speak TLS: the refusal cannot be provoked here");
    const storage = fromAdapter(new MysqlAdapter({ url: database.url, ssl: true, connectTimeoutMs: 2000 }));
    const error = await rejection(storage.get(uuid(1)));
    expect(error.code).toBe("UNAVAILABLE");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("options.ssl");
    await storage.close();
  });

  it("by name with refused credentials: create itself rejects, not retryable", async () => {
    const url = new URL(database.url);
    url.password = "Wr0ng-Secret";
    const registry = new AdapterRegistry().register(adapter);
    const error = await rejection(registry.create({ adapter: "mysql", options: { url: url.toString() } }));
    expect(error.code).toBe("UNAVAILABLE");
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain("Wr0ng-Secret");
  });

  it("a missing database is UNAVAILABLE naming CREATE DATABASE", async () => {
    const url = new URL(database.url);
    url.pathname = "/vcon_no_such_database";
    const storage = fromAdapter(new MysqlAdapter({ url: url.toString() }));
    const error = await rejection(storage.exists(uuid(1)));
    expect(error.code).toBe("UNAVAILABLE");
    expect(error.message).toContain("CREATE DATABASE");
    await storage.close();
  });

  it("declares maxDocumentBytes from the server's max_allowed_packet", async () => {
    const connected = await MysqlAdapter.connect({ url: database.url, table: `a${tables++}` });
    const [[row]] = (await raw.query("SELECT @@max_allowed_packet AS packet")) as unknown as [
      [{ packet: number }],
    ];
    expect(connected.maxDocumentBytes).toBe(Number(row!.packet) - 64 * 1024);
    expect(connected.server?.flavor).toMatch(/^(mariadb|mysql)$/);
    await connected.close();
  });

  it("stores the exact text in LONGTEXT and search keys as bytes; an update replaces the keys", async () => {
    const bare = fresh();
    const storage = fromAdapter(bare);
    const text =
      '{"uuid":"0194c3a2-7b1e-8f3d-9a2c-000000000001","z":1,"a":[1.0,-0,1e2],"parties":[{"tel":"+1","name":"Ann"}],"subject":"Old"}';
    await storage.save(text);
    const [[stored]] = (await raw.query(`SELECT document FROM \`${bare.tables.base}\``)) as unknown as [
      [{ document: string }],
    ];
    expect(stored!.document).toBe(text);
    const [types] = (await raw.query(
      "SELECT COLUMN_NAME AS name, DATA_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY COLUMN_NAME",
      [database.name, `${bare.tables.base}_keys`],
    )) as unknown as [Array<{ name: string; type: string }>];
    expect(types.find((c) => c.name === "value")?.type).toBe("longblob");
    await storage.save({ uuid: uuid(1), subject: "New", parties: [{ tel: "+2" }] });
    const [keys] = (await raw.query(
      `SELECT kind, CAST(value AS CHAR) AS value FROM \`${bare.tables.base}_keys\` ORDER BY kind, value`,
    )) as unknown as [Array<{ kind: string; value: string }>];
    expect(keys).toStrictEqual([
      { kind: "s", value: "new" },
      { kind: "t", value: "+2" },
      { kind: "x", value: "new" },
    ]);
    await storage.close();
  });

  it("identical re-saves, concurrent and in a row, leave one key row per value (no duplicate keys)", async () => {
    const bare = fresh();
    const storage = fromAdapter(bare);
    const doc = {
      uuid: uuid(1),
      created_at: "2024-01-01T00:00:00Z",
      subject: "Same",
      parties: [{ tel: "+1" }],
    };
    await Promise.all(Array.from({ length: 20 }, () => storage.save(doc)));
    for (let i = 0; i < 20; i++) await storage.save(doc);
    const [rows] = (await raw.query(
      `SELECT kind, COUNT(*) AS n FROM \`${bare.tables.base}_keys\` GROUP BY kind ORDER BY kind`,
    )) as unknown as [Array<{ kind: string; n: number }>];
    expect(rows.map((r) => [r.kind, Number(r.n)])).toStrictEqual([
      ["s", 1],
      ["t", 1],
      ["x", 1],
    ]);
    await storage.close();
  });

  it("processes starting together migrate once under GET_LOCK", async () => {
    const table = `m${tables++}`;
    const adapters = Array.from({ length: 4 }, () => new MysqlAdapter({ url: database.url, table }));
    await Promise.all(adapters.map((a) => a.open()));
    const [rows] = (await raw.query(`SELECT version, name FROM \`${table}_migrations\``)) as unknown as [
      unknown[],
    ];
    expect(rows).toStrictEqual([{ version: 1, name: "0001_documents_and_keys" }]);
    await Promise.all(adapters.map((a) => a.close()));
  });

  it("autoMigrate off: a missing table is UNAVAILABLE naming migrate; migrate() applies, then reports nothing", async () => {
    const table = `n${tables++}`;
    const storage = fromAdapter(new MysqlAdapter({ url: database.url, table, autoMigrate: false }));
    const error = await rejection(storage.get(uuid(1)));
    expect(error.code).toBe("UNAVAILABLE");
    expect(error.message).toContain("migrat");
    const options = parseMysqlOptions({ url: database.url, table });
    expect(await adapter.migrate!(options, { name: "m", logger: silentLogger })).toMatchObject({
      applied: ["0001_documents_and_keys"],
    });
    expect(await adapter.migrate!(options, { name: "m", logger: silentLogger })).toMatchObject({
      applied: [],
    });
    // The failed open is retried by the next call.
    expect(await storage.get(uuid(1))).toBeNull();
    await storage.close();
    await raw.query(
      `INSERT INTO \`${table}_migrations\` (version, name, applied_ms) VALUES (99, 'future', 0)`,
    );
    const newer = fromAdapter(new MysqlAdapter({ url: database.url, table }));
    expect((await rejection(newer.get(uuid(1)))).message).toContain("upgrade the package");
    await newer.close();
  });

  it("overlapping saveMany chunks in opposite orders all commit (uuid order, deadlock retry)", async () => {
    const storage = fromAdapter(fresh({ poolSize: 8 }));
    const documents = Array.from({ length: 40 }, (_, i) => ({
      uuid: uuid(i),
      parties: [{ tel: `+1${i}` }],
    }));
    const writes = Array.from({ length: 16 }, (_, w) => {
      const chunk = w % 2 === 0 ? documents : [...documents].reverse();
      return storage.saveMany(chunk.map((d) => ({ ...d, subject: `writer ${w}` })));
    });
    const outcomes = await Promise.allSettled(writes);
    expect(outcomes.filter((o) => o.status === "rejected")).toStrictEqual([]);
    const page = await storage.search({ limit: 1000 });
    expect(page.items).toHaveLength(40);
    // Every document holds one writer's subject, and its keys say the same (one transaction each).
    for (const item of page.items) {
      const found = await storage.search({
        subject: item.subject as string,
        tel: (item.parties as Array<{ tel: string }>)[0]!.tel,
      });
      expect(found.items.map((v) => v.uuid)).toStrictEqual([item.uuid]);
    }
    await storage.close();
  });

  it("a saveMany InnoDB picks as a deadlock victim is retried and commits", async () => {
    const bare = fresh({ table: `deadlock_victim_${tables++}` });
    const storage = fromAdapter(bare);
    const table = `\`${bare.tables.base}\``;
    await storage.saveMany([uuid(1), uuid(2)].map((u) => ({ uuid: u, subject: "before", parties: [] })));
    const other = await database.connect();
    try {
      // The other session changes many rows first, so InnoDB rolls back the adapter's lighter transaction.
      await other.query("CREATE TABLE IF NOT EXISTS weight (n INT)");
      await other.query("START TRANSACTION");
      await other.query(
        "INSERT INTO weight WITH RECURSIVE s (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 500) SELECT n FROM s",
      );
      await other.query(`SELECT uuid FROM ${table} WHERE uuid = ? FOR UPDATE`, [uuid(2)]);
      // The adapter locks uuid(1) (uuid order), then waits for uuid(2)...
      const batch = storage.saveMany(
        [uuid(2), uuid(1)].map((u) => ({ uuid: u, subject: "after", parties: [] })),
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      // ...and the other session now waits for uuid(1): a cycle, and the adapter is the victim.
      const crossing = other.query(`SELECT uuid FROM ${table} WHERE uuid = ? FOR UPDATE`, [uuid(1)]);
      await crossing;
      await new Promise((resolve) => setTimeout(resolve, 200));
      await other.query("COMMIT");
      await batch;
      const [[status]] = (await other.query("SHOW ENGINE INNODB STATUS")) as unknown as [
        [{ Status: string }],
      ];
      expect(status!.Status).toContain("LATEST DETECTED DEADLOCK");
      expect(status!.Status).toContain(bare.tables.base);
      expect((await storage.get(uuid(1)))?.subject).toBe("after");
      expect((await storage.get(uuid(2)))?.subject).toBe("after");
    } finally {
      await other.query("ROLLBACK").catch(() => {});
      await other.query("DROP TABLE IF EXISTS weight");
      await other.end();
      await storage.close();
    }
  });

  it("statementTimeoutMs bounds a write blocked by another session's lock: UNAVAILABLE, retryable", async () => {
    const bare = fresh({ statementTimeoutMs: 500 });
    const storage = fromAdapter(bare);
    await storage.save({ uuid: uuid(1), parties: [] });
    const blocker = await database.connect();
    await blocker.query("START TRANSACTION");
    await blocker.query(`SELECT * FROM \`${bare.tables.base}\` WHERE uuid = ? FOR UPDATE`, [uuid(1)]);
    try {
      const started = Date.now();
      const error = await rejection(storage.save({ uuid: uuid(1), subject: "blocked", parties: [] }));
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(error.code).toBe("UNAVAILABLE");
      expect(error.retryable).toBe(true);
    } finally {
      await blocker.query("ROLLBACK");
      await blocker.end();
    }
    await storage.save({ uuid: uuid(1), subject: "after", parties: [] });
    expect((await storage.get(uuid(1)))?.subject).toBe("after");
    await storage.close();
  });

  it("export reads one consistent snapshot: writes and deletes during it are not seen", async () => {
    const storage = fromAdapter(fresh());
    await storage.saveMany(
      [1, 2, 3, 4, 5].map((n) => ({ uuid: uuid(n), created_at: `2026-01-0${n}T00:00:00Z`, parties: [] })),
    );
    const seen: string[] = [];
    for await (const vcon of storage.export({ batchSize: 2 })) {
      seen.push(vcon.uuid as string);
      if (seen.length === 1) {
        await storage.delete(uuid(4));
        await storage.save({ uuid: uuid(9), created_at: "2026-01-09T00:00:00Z", parties: [] });
      }
    }
    expect(seen).toStrictEqual([1, 2, 3, 4, 5].map(uuid));
    await storage.close();
  });

  it("util.inspect and JSON of the adapter show the target, never the password", async () => {
    const bare = new MysqlAdapter({ url: "mysql://root:Sup3r-Secret@127.0.0.1:3306/vcon" });
    expect(inspect(bare)).toContain("127.0.0.1:3306/vcon");
    expect(`${inspect(bare, { depth: 10 })} ${JSON.stringify(bare)}`).not.toContain("Sup3r-Secret");
    await bare.close();
  });
});
