import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { redactedUrl } from "../src/http/request-log.js";
import { ApiKeys, configFrom, describeConfig, isLoopback, loadConfig, printConfig } from "../src/index.js";
import { issuesOf } from "./helpers.js";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "vcon-server-config-auth-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("configuration from the environment", () => {
  it("POSTGRES_URL with no file means a postgres primary on that server, never the PGlite folder", async () => {
    const env = { POSTGRES_URL: "postgres://vcon:pw-in-url-4471@db.internal:6543/vcons" };
    const loaded = loadConfig({ cwd: tempDir(), env });
    expect(loaded.origin).toBe("environment");
    expect(loaded.source).toBe("environment");
    expect(loaded.config.storages.primary).toMatchObject({ adapter: "postgres", options: {} });
    const described = await describeConfig(loaded, env);
    expect(described).toEqual({
      source: "environment (POSTGRES_* variables, no configuration file)",
      storages: [{ name: "primary", adapter: "postgres", target: "db.internal:6543/vcons" }],
    });
    expect(JSON.stringify(described)).not.toContain("pw-in-url-4471");
  });

  it("POSTGRES_HOST / POSTGRES_DB as in vcon-server; empty values count as unset; a file wins", async () => {
    const env = { POSTGRES_HOST: "pg.example", POSTGRES_DB: "conversations", POSTGRES_PASSWORD: "pw-5521" };
    const loaded = loadConfig({ cwd: tempDir(), env });
    expect(loaded.origin).toBe("environment");
    expect((await describeConfig(loaded, env)).storages[0]?.target).toBe("pg.example:5432/conversations");

    const empty = loadConfig({ cwd: tempDir(), env: { POSTGRES_URL: "", POSTGRES_HOST: "" } });
    expect(empty.origin).toBe("defaults");
    expect(empty.config.storages.primary?.options).toEqual({ embedded: { dataDir: "./.data/pglite" } });
    expect((await describeConfig(empty, {})).source).toBe(
      "embedded default (no configuration file, no POSTGRES_* variables)",
    );

    const dir = tempDir();
    writeFileSync(join(dir, "vcon-server.yaml"), "storages:\n  primary:\n    adapter: memory\n");
    const fromFile = loadConfig({ cwd: dir, env });
    expect(fromFile.origin).toBe("file");
    expect((await describeConfig(fromFile, env)).source).toBe(`file ${join(dir, "vcon-server.yaml")}`);
  });
});

describe("the configuration file a user names", () => {
  it("is relative to where pnpm was invoked (INIT_CWD): `pnpm start --config x.yaml` at the repository root", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "from-root.yaml"), "storages:\n  primary:\n    adapter: memory\n");
    // The process runs elsewhere (pnpm runs the app's script in apps/server).
    const loaded = loadConfig({ file: "from-root.yaml", env: { INIT_CWD: dir } });
    expect(loaded.source).toBe(join(dir, "from-root.yaml"));
    expect(loaded.config.storages.primary?.adapter).toBe("memory");
  });
});

describe("API key configuration", () => {
  const storages = { primary: { adapter: "memory" } };

  it("VCON_API_KEY adds one full-access key, kept secret", () => {
    const key = "env-key-3b9f1c7e2d5a8";
    const loaded = configFrom({ storages }, "code", { VCON_API_KEY: key });
    expect(loaded.config.server.auth).toEqual({
      keys: [{ name: "VCON_API_KEY", key, scopes: ["read", "write", "delete"] }],
    });
    expect(loaded.secrets).toContain(key);
    expect(printConfig(loaded)).not.toContain(key);
  });

  it("keys from the file or the environment are masked when printed and kept as secrets", () => {
    const raw = {
      server: {
        auth: {
          keys: [
            // biome-ignore lint/suspicious/noTemplateCurlyInString: config files write ${NAME} references literally
            { name: "ingest", key: "${INGEST_KEY}", scopes: ["write"] },
            { name: "literal", key: "literal-key-in-the-file-01" },
          ],
        },
      },
      storages,
    };
    const loaded = configFrom(raw, "file.yaml", { INGEST_KEY: "ingest-key-from-env-77" });
    const printed = printConfig(loaded);
    expect(printed.match(/key: "\*\*\*"/g)).toHaveLength(2);
    expect(printed).not.toContain("ingest-key-from-env-77");
    expect(printed).not.toContain("literal-key-in-the-file-01");
    expect(loaded.secrets).toEqual(
      expect.arrayContaining(["ingest-key-from-env-77", "literal-key-in-the-file-01"]),
    );
  });

  it("refuses short keys, unknown scopes, and auth: none next to VCON_API_KEY", () => {
    expect(
      issuesOf(() => configFrom({ server: { auth: { keys: [{ key: "short" }] } }, storages }, "code", {})),
    ).toEqual([{ path: "server.auth.keys.0.key", message: "an API key has at least 16 characters" }]);
    const scopes = issuesOf(() =>
      configFrom(
        { server: { auth: { keys: [{ key: "x".repeat(20), scopes: ["admin"] }] } }, storages },
        "code",
        {},
      ),
    );
    expect(scopes.map((i) => i.path)).toEqual(["server.auth.keys.0.scopes.0"]);
    expect(issuesOf(() => configFrom({ storages }, "code", { VCON_API_KEY: "short-key" }))).toEqual([
      {
        path: "VCON_API_KEY",
        message: "an API key has at least 16 characters and no leading or trailing spaces",
      },
    ]);
    expect(
      issuesOf(() =>
        configFrom({ server: { auth: "none" }, storages }, "code", { VCON_API_KEY: "y".repeat(20) }),
      ),
    ).toEqual([{ path: "server.auth", message: "is none, but VCON_API_KEY is set: remove one of them" }]);
  });

  it("identifies keys by comparing digests, and knows loopback from every interface", () => {
    const keys = new ApiKeys([
      { name: "a", key: "first-key-aaaaaaaaaaaa", scopes: ["read"] },
      { key: "second-key-bbbbbbbbbbb", scopes: ["write", "delete"] },
    ]);
    expect(keys.identify("first-key-aaaaaaaaaaaa")).toEqual({ name: "a", scopes: ["read"] });
    expect(keys.identify("second-key-bbbbbbbbbbb")).toEqual({ name: "key 2", scopes: ["write", "delete"] });
    expect(keys.identify("first-key-aaaaaaaaaaa")).toBeNull();
    expect(keys.identify("")).toBeNull();
    for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"])
      expect(isLoopback(host)).toBe(true);
    for (const host of ["0.0.0.0", "::", "10.0.0.5", "example.com"]) expect(isLoopback(host)).toBe(false);
  });

  it("redacts every query value but paging and dates in logged URLs", () => {
    expect(
      redactedUrl("/vcons?tel=%2B1555&mailto=a%40b.c&name=Al&text=refund&tag=vip&limit=5&since=2026-01-01"),
    ).toBe(
      "/vcons?tel=[redacted]&mailto=[redacted]&name=[redacted]&text=[redacted]&tag=[redacted]&limit=5&since=2026-01-01",
    );
    expect(redactedUrl("/vcons/search?tel=1&page=2&size=10")).toBe(
      "/vcons/search?tel=[redacted]&page=2&size=10",
    );
    expect(redactedUrl("/vcons/0194c3a2-7b1e-8f3d-9a2c-4e5f6a7b8c9d")).toBe(
      "/vcons/0194c3a2-7b1e-8f3d-9a2c-4e5f6a7b8c9d",
    );
  });
});
