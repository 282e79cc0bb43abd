import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { createTestDatabase, type TestDatabase, withClient } from "@vcon/test-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { configFrom } from "../src/index.js";
import { configDir, runCli } from "./cli-helpers.js";
import { makeVcon, postJson, startServer } from "./helpers.js";

/** Whether a Redis answers on 127.0.0.1:6379; under CI=true a missing one fails the run. */
async function redisAnswers(): Promise<boolean> {
  const up = await new Promise<boolean>((resolve) => {
    const socket = connect(6379, "127.0.0.1");
    socket.once("connect", () => resolve(socket.end() !== undefined));
    socket.once("error", () => resolve(false));
  });
  if (!up && process.env.CI === "true") throw new Error("CI=true and no Redis on 127.0.0.1:6379");
  if (!up)
    console.warn("[example-server] vcon-server redis_storage block: skipped, no Redis on 127.0.0.1:6379");
  return up;
}

describe("a storages block pasted from vcon-server's config.yml", () => {
  let database: TestDatabase;
  let folder: string;
  let pasted: Record<string, unknown>;
  // A login role of the test's own, so the password is real on a server that checks it (the embedded
  // one) and distinctive enough to look for in the logs.
  const role = `vcon_compat_${randomBytes(4).toString("hex")}`;
  const password = `compat-secret-${randomBytes(8).toString("hex")}`;

  beforeAll(async () => {
    database = await createTestDatabase("vcon_server_compat");
    await withClient(database.url, async (client) => {
      await client.query(`CREATE ROLE "${role}" LOGIN PASSWORD '${password}'`);
      await client.query(`ALTER DATABASE "${database.name}" OWNER TO "${role}"`);
    });
    folder = mkdtempSync(join(tmpdir(), "vcon-compat-file-"));
    const target = new URL(database.url);
    // As vcon-server's example_config.yml writes it: port as a string, the file module's extra options.
    pasted = {
      postgres: {
        module: "storage.postgres",
        options: {
          user: role,
          password,
          host: target.hostname,
          port: target.port || "5432",
          database: target.pathname.slice(1),
        },
      },
      file: {
        module: "storage.file",
        options: {
          path: folder,
          organize_by_date: true,
          compression: false,
          max_file_size: 10485760,
          file_permissions: 0o644,
          dir_permissions: 0o755,
        },
      },
    };
  });
  afterAll(async () => {
    await database?.drop();
    if (database) {
      const server = new URL(database.url);
      server.pathname = "/postgres";
      await withClient(server.toString(), (client) => client.query(`DROP ROLE IF EXISTS "${role}"`));
    }
    rmSync(folder, { recursive: true, force: true });
  });

  it("maps each module to an adapter with its option names, and says so", () => {
    const loaded = configFrom(
      {
        storages: {
          ...pasted,
          cache: {
            module: "storage.redis_storage",
            options: { redis_url: "redis://127.0.0.1:6379", prefix: "vs", expires: 3600 },
          },
          plain: { module: "storage.redis_storage", options: {} },
        },
      },
      "test",
    );
    expect(loaded.config.storages.postgres).toMatchObject({
      adapter: "postgres",
      options: {
        user: expect.any(String),
        host: expect.any(String),
        port: expect.any(String),
        database: expect.any(String),
      },
    });
    expect(loaded.config.storages.file).toMatchObject({ adapter: "file", options: { directory: folder } });
    expect(Object.keys(loaded.config.storages.file!.options)).toEqual(["directory"]);
    expect(loaded.config.storages.cache).toMatchObject({
      adapter: "redis",
      options: { url: "redis://127.0.0.1:6379", keyPrefix: "vs:", ttlSeconds: 3600 },
    });
    expect(loaded.config.storages.plain!.options).toEqual({ keyPrefix: "vcon_storage:" });
    expect(loaded.notices).toEqual([
      'storages.postgres: vcon-server module storage.postgres → adapter "postgres"',
      'storages.file: vcon-server module storage.file → adapter "file"; options renamed: path → directory; ignored: organize_by_date (files are sharded by uuid), compression (files are plain JSON), max_file_size (core\'s document size limit applies), file_permissions (the process umask applies), dir_permissions (the process umask applies)',
      'storages.cache: vcon-server module storage.redis_storage → adapter "redis"; options renamed: redis_url → url, expires → ttlSeconds, prefix → keyPrefix',
      'storages.plain: vcon-server module storage.redis_storage → adapter "redis"; options renamed: prefix → keyPrefix; vcon-server\'s default expiry (7 days) is not applied: nothing expires unless `expires` is set',
    ]);
  });

  it("refuses an unknown module, listing the known ones", () => {
    expect(() =>
      configFrom(
        { storages: { mongo: { module: "storage.mongo", options: { url: "mongodb://x" } } } },
        "test",
      ),
    ).toThrow(
      expect.objectContaining({
        issues: [
          {
            path: "storages.mongo.module",
            message:
              'unknown vcon-server module "storage.mongo"; known: storage.postgres, storage.file, storage.redis_storage (or name an adapter with adapter:)',
          },
        ],
      }),
    );
  });

  it("serves on the mapped storages: a vCon posted lands in PostgreSQL and the file folder, and the start log names the mapping", async () => {
    const lines: string[] = [];
    const logStream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).trim().split("\n"));
        done();
      },
    });
    const { buildServer } = await import("../src/index.js");
    const server = await buildServer(
      { server: { port: 0, logLevel: "info" }, storages: pasted as never },
      { logStream },
    );
    try {
      const url = await server.listen();
      const vcon = makeVcon();
      const saved = await postJson(`${url}/vcon`, vcon);
      expect(saved.status).toBe(201);
      expect((await fetch(`${url}/vcon/${vcon.uuid}`)).headers.get("vcon-storage")).toBe("postgres");
      // The second storage is a replica: it receives the document shortly after the answer.
      await expect
        .poll(() => readdirSync(folder, { recursive: true }).map(String), { timeout: 15_000 })
        .toContain(join(vcon.uuid.slice(0, 2), `${vcon.uuid}.json`));
    } finally {
      await server.close();
    }
    const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toContain('storages.postgres: vcon-server module storage.postgres → adapter "postgres"');
    expect(messages.join("\n")).not.toContain(password);
  });

  it("the CLI reads the same block from a YAML file and prints the notice on stderr", async () => {
    const { dir, file } = configDir(stringify({ storages: { file: pasted.file } }));
    try {
      const vcon = makeVcon();
      const saved = await runCli(["--config", file, "save", "-"], { input: JSON.stringify(vcon), cwd: dir });
      expect(saved.stderr).toContain(
        'notice: storages.file: vcon-server module storage.file → adapter "file"',
      );
      expect(saved.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("works with storage.redis_storage: prefix and expires as vcon-server writes them", async () => {
    if (!(await redisAnswers())) return;
    const prefix = `vcon-compat-${process.pid}-${Date.now()}`;
    const server = await startServer({
      storages: {
        redis: {
          module: "storage.redis_storage",
          options: { redis_url: "redis://127.0.0.1:6379", prefix, expires: 600 },
        },
      } as never,
    });
    try {
      const vcon = makeVcon();
      expect((await postJson(`${server.url}/vcons`, vcon)).status).toBe(201);
      expect((await fetch(`${server.url}/vcons/${vcon.uuid}`)).status).toBe(200);
      // The redis adapter's own client library, to look at the keys behind the service's back.
      const adapterPackage = join(
        import.meta.dirname,
        "..",
        "node_modules",
        "@vcon",
        "storage-redis",
        "package.json",
      );
      const { Redis } = (await import(
        createRequire(adapterPackage).resolve("ioredis")
      )) as typeof import("ioredis");
      const client = new Redis("redis://127.0.0.1:6379");
      try {
        // Every key is under `<prefix>:`, as vcon-server's are; the document's carries the expiry.
        const [key] = await client.keys(`${prefix}:*${vcon.uuid}`);
        expect(key).toBeDefined();
        const ttl = await client.ttl(key!);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(600);
        const keys = await client.keys(`${prefix}:*`);
        await client.del(...keys);
      } finally {
        client.disconnect();
      }
    } finally {
      await server.close();
    }
  });
});
