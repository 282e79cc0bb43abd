import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, sqlRows, type TestDatabase } from "@vcon/test-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configDir, runCli, serve } from "./cli-helpers.js";
import { makeVcon } from "./helpers.js";
import { startTcpProxy } from "./tcp-proxy.js";

const KEY = "serve-cli-test-key-51c8e0f2a7";
/** Never sent anywhere a log could keep it: the test server trusts local connections. */
const PASSWORD = "pg-Pa55-never-logged-93d1";

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("vcon-server serve and config, started as a user would", { timeout: 180_000 }, () => {
  let database: TestDatabase;
  let target: string;
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "vcon-server-serve-"));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    database = await createTestDatabase("vcon_server_serve");
    const url = new URL(database.url);
    target = `${url.hostname}:${url.port || 5432}${url.pathname}`;
  });
  afterAll(async () => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  });

  it("with no file, POSTGRES_URL means a postgres primary on that server, named in one start line", async () => {
    const cwd = tempDir();
    const running = await serve([], {
      cwd,
      env: {
        VCON_SERVER_CONFIG: "",
        POSTGRES_URL: database.url,
        VCON_API_KEY: KEY,
      },
    });
    try {
      const vcon = makeVcon();
      const saved = await fetch(`${running.url}/vcons`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
        body: JSON.stringify(vcon),
      });
      expect(saved.status).toBe(201);
      const rows = await sqlRows(database.url, "select uuid::text as uuid from vcons where uuid = $1", [
        vcon.uuid,
      ]);
      expect(rows).toEqual([{ uuid: vcon.uuid }]);
    } finally {
      expect(await running.stop()).toBe(0);
    }
    const output = running.output();
    const startLines = output.split("\n").filter((line) => line.includes("configuration from"));
    expect(startLines).toHaveLength(1);
    expect(JSON.parse(startLines[0]!)).toMatchObject({
      msg: `configuration from environment (POSTGRES_* variables, no configuration file); storages: primary=postgres ${target}`,
      storages: [{ name: "primary", adapter: "postgres", target }],
    });
    // The embedded test server has a password; POSTGRES_URL on a trusting server may have none.
    const { password } = new URL(database.url);
    if (password) expect(output).not.toContain(`:${password}@`);
    expect(output).not.toContain(KEY);
    // Never the embedded folder.
    expect(existsSync(join(cwd, ".data"))).toBe(false);
  });

  it("refuses to listen beyond loopback without a key, saying how to configure one", async () => {
    const { dir, file } = configDir("storages:\n  primary:\n    adapter: memory\n");
    dirs.push(dir);
    const refused = await runCli(["--config", file, "serve"], {
      env: { HOST: "0.0.0.0", PORT: "0", VCON_API_KEY: "" },
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("Refusing to listen on 0.0.0.0 without an API key");
    expect(refused.stderr).toContain("VCON_API_KEY");
    expect(refused.stderr).toContain("server.auth: none");
    expect(refused.stdout).not.toContain("Server listening");
  });

  it("serves beyond loopback with a key, and with server.auth: none only after a warning", async () => {
    const { dir, file } = configDir("storages:\n  primary:\n    adapter: memory\n");
    dirs.push(dir);
    const keyed = await serve(["--config", file], { env: { HOST: "0.0.0.0", VCON_API_KEY: KEY } });
    try {
      expect((await fetch(`${keyed.url}/vcons?limit=1`)).status).toBe(401);
      expect((await fetch(`${keyed.url}/vcons?limit=1`, { headers: { "x-api-key": KEY } })).status).toBe(200);
    } finally {
      expect(await keyed.stop()).toBe(0);
    }

    const open = configDir("server:\n  auth: none\nstorages:\n  primary:\n    adapter: memory\n");
    dirs.push(open.dir);
    const unauthenticated = await serve(["--config", open.file], {
      env: { HOST: "0.0.0.0", VCON_API_KEY: "" },
    });
    try {
      expect((await fetch(`${unauthenticated.url}/vcons?limit=1`)).status).toBe(200);
    } finally {
      expect(await unauthenticated.stop()).toBe(0);
    }
    const warning = unauthenticated
      .output()
      .split("\n")
      .find((line) => line.includes("server.auth is none"));
    expect(JSON.parse(warning!)).toMatchObject({ level: 40 });
  });

  it("config --check --connect opens every storage and reports each outcome", async () => {
    const port = await closedPort();
    const { dir, file } = configDir(
      [
        "storages:",
        "  primary:",
        "    adapter: postgres",
        "    options:",
        `      url: ${database.url}`,
        "  missing:",
        "    adapter: postgres",
        "    read: false",
        "    options:",
        `      url: postgres://vcon:\${PG_PASSWORD}@127.0.0.1:${port}/vcon`,
        "      connectionTimeoutMs: 1000",
        "  archive:",
        "    adapter: file",
        "    options:",
        "      directory: ./archive",
      ].join("\n"),
    );
    dirs.push(dir);
    const result = await runCli(["--config", file, "config", "--check", "--connect"], {
      cwd: dir,
      env: { PG_PASSWORD: PASSWORD },
    });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toContain("configuration is valid");
    expect(lines.find((l) => l.startsWith("primary "))).toMatch(
      new RegExp(`^primary \\(postgres ${target.replace(/[.]/g, "\\.")}\\): connected, answered in \\d+ ms$`),
    );
    expect(lines.find((l) => l.startsWith("missing "))).toMatch(
      new RegExp(`^missing \\(postgres 127\\.0\\.0\\.1:${port}/vcon\\): UNAVAILABLE: `),
    );
    expect(lines.find((l) => l.startsWith("archive "))).toMatch(/^archive \(file .*archive\): connected/);
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
  });

  it("serve --wait-for-storages gives up when a storage never answers, naming it", async () => {
    const port = await closedPort();
    const { dir, file } = configDir(
      `storages:\n  primary:\n    adapter: memory\n  cache:\n    adapter: redis\n    options:\n      url: redis://127.0.0.1:${port}\n`,
    );
    dirs.push(dir);
    const started = performance.now();
    // Long enough for one retry (and its "waiting" line) even when start-up is slow on a loaded machine.
    const result = await runCli(["--config", file, "serve", "--wait-for-storages", "4"], {
      cwd: dir,
      env: { PORT: "0" },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("waiting for storages");
    expect(result.stderr).toMatch(/Storages not up within --wait-for-storages: cache UNAVAILABLE/);
    expect(result.stdout).not.toContain("Server listening");
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it("serve --wait-for-storages retries a storage that is not up yet; without it, start fails at once", async () => {
    const direct = new URL(database.url);
    const proxy = await startTcpProxy(direct.hostname, Number(direct.port || 5432));
    await proxy.stop();
    const proxied = new URL(database.url);
    proxied.hostname = "127.0.0.1";
    proxied.port = String(proxy.port);
    const yaml = `storages:\n  primary:\n    adapter: postgres\n    options:\n      url: ${proxied}\n      connectionTimeoutMs: 1000\n`;
    const { dir, file } = configDir(yaml);
    dirs.push(dir);
    try {
      const failed = await runCli(["--config", file, "serve"], { env: { PORT: "0" } });
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/Storage "primary" \(adapter "postgres"\) could not be opened/);

      let retrying: () => void = () => {};
      const sawRetry = new Promise<void>((resolve) => {
        retrying = resolve;
      });
      const waiting = serve(["--config", file], {
        serveArgs: ["--wait-for-storages", "60"],
        onOutput: (output) => {
          if (output.includes("waiting for storages")) retrying();
        },
      });
      // Bring the database "up" once the service is retrying, as compose or Kubernetes would.
      await sawRetry;
      await proxy.start();
      const running = await waiting;
      try {
        // One configuration line however many attempts it took.
        expect(running.output().match(/configuration from/g)).toHaveLength(1);
        expect((await fetch(`${running.url}/readyz`)).status).toBe(200);
      } finally {
        expect(await running.stop()).toBe(0);
      }
    } finally {
      await proxy.stop();
    }
  });
});
