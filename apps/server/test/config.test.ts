import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configFrom, DEFAULT_PORT, loadConfig, printConfig } from "../src/index.js";
import { issuesOf } from "./helpers.js";

const appDir = join(import.meta.dirname, "..");

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "vcon-server-config-"));
}

describe("configuration", () => {
  it("falls back to embedded PostgreSQL in ./.data/pglite with no file at all", () => {
    const loaded = loadConfig({ cwd: tempDir(), env: {} });
    expect(loaded.source).toBe("defaults");
    expect(loaded.config.storages).toEqual({
      primary: {
        adapter: "postgres",
        options: { embedded: { dataDir: "./.data/pglite" } },
        read: true,
        write: true,
        primary: false,
      },
    });
    expect(loaded.config.server).toMatchObject({
      host: "127.0.0.1",
      port: DEFAULT_PORT,
      bodyLimit: 32 * 1024 * 1024,
    });
  });

  it("loads the example file, fills in the environment, and never prints the password", () => {
    const env = { POSTGRES_PASSWORD: "s3cret-Pa55", PORT: "9123" };
    const loaded = loadConfig({ file: join(appDir, "vcon-server.example.yaml"), env });
    expect(loaded.config.server.port).toBe(9123);
    expect(loaded.config.storages.primary?.options).toEqual({
      url: "postgres://vcon:s3cret-Pa55@127.0.0.1:5432/vcon",
    });
    expect(loaded.config.storages.archive).toEqual({
      adapter: "file",
      options: { directory: "./.data/archive" },
      read: true,
      write: true,
      primary: false,
    });
    expect(loaded.secrets).toEqual(["s3cret-Pa55"]);
    const printed = printConfig(loaded);
    expect(printed).not.toContain("s3cret-Pa55");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: config files write ${NAME} references literally
    expect(printed).toContain("postgres://vcon:${POSTGRES_PASSWORD}@127.0.0.1:5432/vcon");
    expect(printed).toContain("directory: ./.data/archive");
  });

  it("masks secret-named keys and URL passwords written into the file itself", () => {
    const loaded = configFrom(
      {
        storages: {
          primary: {
            adapter: "postgres",
            options: { url: "postgres://u:inline-pw@db/vcon", password: "other-pw" },
          },
        },
      },
      "test",
      {},
    );
    const printed = printConfig(loaded);
    expect(printed).not.toContain("inline-pw");
    expect(printed).not.toContain("other-pw");
    expect(printed).toContain("postgres://u:***@db/vcon");
  });

  it("masks an environment password without masking the same word written elsewhere", () => {
    const loaded = configFrom(
      {
        storages: {
          // biome-ignore lint/suspicious/noTemplateCurlyInString: config files write ${NAME} references literally
          primary: { adapter: "postgres", options: { url: "postgres://u:${DB_PASSWORD}@db/vcon" } },
        },
      },
      "test",
      { DB_PASSWORD: "postgres" },
    );
    const printed = printConfig(loaded);
    expect(printed).toContain("adapter: postgres");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: config files write ${NAME} references literally
    expect(printed).toContain("url: postgres://u:${DB_PASSWORD}@db/vcon");
  });

  it("reads JSON files and HOST / LOG_LEVEL overrides", () => {
    const dir = tempDir();
    const file = join(dir, "vcon-server.json");
    writeFileSync(file, JSON.stringify({ storages: { primary: { adapter: "memory" } } }));
    const loaded = loadConfig({ cwd: dir, env: { HOST: "0.0.0.0", LOG_LEVEL: "warn" } });
    expect(loaded.source).toBe(file);
    expect(loaded.config.server).toMatchObject({ host: "0.0.0.0", logLevel: "warn" });
  });

  it("lists every problem with its path", () => {
    const issues = issuesOf(() =>
      configFrom(
        {
          server: { port: 70000, colour: "blue" },
          storages: { primary: { adapter: "memory", read: "yes" }, "bad name": { adapter: "memory" } },
        },
        "test",
        {},
      ),
    );
    const paths = issues.map((i) => i.path).sort();
    expect(paths).toEqual(["server", "server.port", "storages.bad name", "storages.primary.read"]);
  });

  it("reports unset environment variables and unparsable files", () => {
    const issues = issuesOf(() =>
      configFrom(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: config files write ${NAME} references literally
        { storages: { primary: { adapter: "postgres", options: { url: "${NOT_SET_ANYWHERE}" } } } },
        "t",
        {},
      ),
    );
    expect(issues).toEqual([
      {
        path: "storages.primary.options.url",
        message:
          // biome-ignore lint/suspicious/noTemplateCurlyInString: config files write ${NAME} references literally
          "environment variable NOT_SET_ANYWHERE is not set (write ${NOT_SET_ANYWHERE:-default} for a default)",
      },
    ]);

    const dir = tempDir();
    writeFileSync(join(dir, "broken.yaml"), "storages: [unclosed");
    expect(issuesOf(() => loadConfig({ file: "broken.yaml", cwd: dir, env: {} }))[0]?.path).toBe("$");
    expect(issuesOf(() => loadConfig({ file: "missing.yaml", cwd: dir, env: {} }))[0]?.path).toBe("config");
  });

  it("needs a storage to write to and one to read from", () => {
    const issues = issuesOf(() =>
      configFrom({ storages: { only: { adapter: "memory", write: false } } }, "t", {}),
    );
    expect(issues).toEqual([{ path: "storages", message: "at least one storage must have write: true" }]);
    expect(issuesOf(() => configFrom({ storages: {} }, "t", {}))[0]?.message).toBe(
      "configure at least one storage",
    );
  });
});

describe("README", () => {
  it("shows vcon-server.example.yaml exactly", () => {
    const readme = readFileSync(join(appDir, "README.md"), "utf8");
    const example = readFileSync(join(appDir, "vcon-server.example.yaml"), "utf8");
    expect(readme).toContain(`\`\`\`yaml\n${example}\`\`\``);
  });
});
