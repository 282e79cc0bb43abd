import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configDir, runCli, serve } from "./cli-helpers.js";
import { makeVcon } from "./helpers.js";

const memoryConfig = "storages:\n  primary:\n    adapter: memory\n";
const COMMANDS = ["serve", "import", "export", "migrate", "get", "save", "config"];

describe("CLI basics", () => {
  it("has --help on the program and on every command", async () => {
    const top = await runCli(["--help"]);
    expect(top.code).toBe(0);
    for (const command of COMMANDS) expect(top.stdout).toContain(command);
    for (const command of COMMANDS) {
      const help = await runCli([command, "--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: vcon-server ${command}`);
    }
  });

  it("prints the effective config with secrets masked, and checks adapters", async () => {
    const { file } = configDir(
      "storages:\n  primary:\n    adapter: memory\n  second:\n    adapter: memory\n    options: {}\n    read: false\n",
    );
    const result = await runCli(["--config", file, "config", "--check"], { env: { PORT: "9999" } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("port: 9999");
    expect(result.stdout).toContain("second:");
    expect(result.stderr).toContain("configuration is valid");

    const secret = configDir(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: config files write ${NAME} references literally
      "storages:\n  primary:\n    adapter: postgres\n    options:\n      url: postgres://app:${DB_PASSWORD}@db:5432/vcon\n",
    );
    const masked = await runCli(["--config", secret.file, "config"], {
      env: { DB_PASSWORD: "hunter2-secret" },
    });
    expect(masked.code).toBe(0);
    expect(masked.stdout + masked.stderr).not.toContain("hunter2-secret");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: config files write ${NAME} references literally
    expect(masked.stdout).toContain("postgres://app:${DB_PASSWORD}@db:5432/vcon");
  });

  it("fails with the problems listed for a bad config, an unknown adapter or bad options", async () => {
    const bad = configDir("storages:\n  primary:\n    adaptr: memory\n");
    const result = await runCli(["--config", bad.file, "config"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: Invalid configuration");
    expect(result.stderr).toContain("storages.primary");
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace

    const unknown = configDir("storages:\n  primary:\n    adapter: nosuch\n");
    const check = await runCli(["--config", unknown.file, "config", "--check"]);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('storages.primary.adapter: unknown adapter "nosuch" (known: ');

    const options = configDir(
      "storages:\n  primary:\n    adapter: memory\n    options:\n      colour: blue\n",
    );
    const get = await runCli(["--config", options.file, "get", makeVcon().uuid]);
    expect(get.code).toBe(1);
    expect(get.stderr).toContain('storages.primary.options.colour: adapter "memory" has no option "colour"');

    const missing = await runCli(["--config", "/nonexistent/vcon-server.yaml", "get", makeVcon().uuid]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("Configuration file not found");
  });

  it("imports from a folder, a JSON lines file and stdin with a summary, counting bad documents", async () => {
    const { dir, file } = configDir(memoryConfig);
    const folder = join(dir, "in");
    const good = [makeVcon(), makeVcon(), makeVcon()];
    mkdirSync(join(folder, "nested"), { recursive: true });
    writeFileSync(join(folder, "a.vcon"), JSON.stringify(good[0]));
    writeFileSync(join(folder, "nested", "b.json"), JSON.stringify(good[1]));
    writeFileSync(join(folder, "more.jsonl"), `${JSON.stringify(good[2])}\n\n{"subject":"no uuid"}\n`);
    writeFileSync(join(folder, "notes.txt"), "ignored");

    const fromFolder = await runCli(["--config", file, "import", folder, "--batch", "2"]);
    expect(fromFolder.stderr).toMatch(/imported 3, failed 1, [\d.]+\/s/);
    expect(fromFolder.stderr).toContain("more.jsonl:3: $.uuid: a uuid is required");
    expect(fromFolder.code).toBe(1);

    const lines = `${good.map((v) => JSON.stringify(v)).join("\n")}\n`;
    writeFileSync(join(dir, "all.jsonl"), lines);
    const fromFile = await runCli(["--config", file, "import", join(dir, "all.jsonl")]);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stderr).toMatch(/imported 3, failed 0/);

    const fromStdin = await runCli(["--config", file, "import", "-"], { input: `${lines}not json\n` });
    expect(fromStdin.code).toBe(1);
    expect(fromStdin.stderr).toContain("failed stdin:4: not JSON: line 1, column 1: expected a value");
    expect(fromStdin.stderr).toMatch(/imported 3, failed 1/);

    const badBatch = await runCli(["--config", file, "import", "-", "--batch", "0"]);
    expect(badBatch.code).toBe(1);
    expect(badBatch.stderr).toContain("expected a positive integer");
  });

  // The draft's samples live beside the repository (../shared/vcon-samples), not in it; folders
  // without a uuid are refused the same way by the fixture-based import test above.
  const samples = join(
    import.meta.dirname,
    "..",
    "..",
    "..",
    "..",
    "shared",
    "vcon-samples",
    "ietf-vcon-core",
  );
  it.skipIf(!existsSync(samples))(
    "imports the IETF sample vCons, refusing the ones without a uuid by name",
    async () => {
      const { file } = configDir(memoryConfig);
      const result = await runCli(["--config", file, "import", samples]);
      expect(result.stderr).toMatch(/imported 15, failed 3, /);
      for (const refused of ["ab.vcon", "simple-vcon.vcon", "vcon_json_schema.json"]) {
        expect(result.stderr).toContain(`failed ${join(samples, refused)}: $.uuid: a uuid is required`);
      }
    },
  );

  it("streams a large JSON lines import, printing a progress line every 1000 vCons without a terminal", async () => {
    const { file } = configDir(memoryConfig);
    const lines = Array.from({ length: 2500 }, () => JSON.stringify(makeVcon())).join("\n");
    const result = await runCli(["--config", file, "import", "-", "--batch", "300"], { input: lines });
    expect(result.code).toBe(0);
    const progressLines = result.stderr.split("\n").filter((line) => /^imported \d+, failed \d+$/.test(line));
    expect(progressLines).toEqual(["imported 1200, failed 0", "imported 2100, failed 0"]);
    expect(result.stderr).toMatch(/imported 2500, failed 0, [\d.]+\/s\n$/);
  });

  it("saves one document from stdin, refuses a bad one, and reports a missing one on get", async () => {
    const { file } = configDir(memoryConfig);
    const vcon = makeVcon();
    const saved = await runCli(["--config", file, "save", "-"], { input: JSON.stringify(vcon) });
    expect(saved.code).toBe(0);
    expect(saved.stdout).toBe(`saved ${vcon.uuid} (primary ok)\n`);

    const bad = await runCli(["--config", file, "save", "-"], { input: '{"subject":"x"}' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("$.uuid: a uuid is required");

    const missing = await runCli(["--config", file, "get", vcon.uuid]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`no vCon ${vcon.uuid}`);

    const badUuid = await runCli(["--config", file, "get", "not-a-uuid"]);
    expect(badUuid.code).toBe(1);
    expect(badUuid.stderr).toContain("expected a uuid");
  });

  it("exports JSON lines to stdout or a file, and says when a storage has no migrations", async () => {
    const { dir, file } = configDir(memoryConfig);
    const out = join(dir, "out.jsonl");
    const exported = await runCli(["--config", file, "export", "--out", out]);
    expect(exported.code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe("");
    expect(exported.stderr).toMatch(/exported 0, failed 0/);

    const unknownStorage = await runCli(["--config", file, "export", "--storage", "nope"]);
    expect(unknownStorage.code).toBe(1);
    expect(unknownStorage.stderr).toContain('No storage named "nope"');

    const migrate = await runCli(["--config", file, "migrate"]);
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toBe('primary: adapter "memory" has no migrations, nothing to do\n');
    expect((await runCli(["--config", file, "migrate", "other"])).stderr).toContain("No storage named other");
  });
});

describe("serve", () => {
  it("listens on PORT at 127.0.0.1, answers, and stops cleanly on SIGTERM", async () => {
    const { file } = configDir(memoryConfig);
    const server = await serve(["--config", file]);
    try {
      const health = await fetch(`${server.url}/health`);
      expect(health.status).toBe(200);

      // A second server on the same port fails with the reason and exits instead of hanging.
      const port = new URL(server.url).port;
      const clash = await runCli(["--config", file, "serve"], { env: { PORT: port } });
      expect(clash.code).toBe(1);
      expect(clash.stderr).toContain("EADDRINUSE");
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
