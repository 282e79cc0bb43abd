import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, configDir, runCli, serve } from "./cli-helpers.js";
import { makeVcon } from "./helpers.js";

export interface CliBackend {
  /** The `options` of the `primary` postgres storage, as YAML lines indented for `options:`. */
  options(dir: string): Promise<string>;
  /** Environment the commands run with (references in the options are filled from it). */
  env: NodeJS.ProcessEnv;
  dispose?(): Promise<void>;
}

const MIGRATED =
  /^primary: applied 0000_init(, \w+)* \(adapter "postgres"\)\narchive: adapter "file" has no migrations, nothing to do\n$/;

/** The real CLI (built `dist/cli.js`, one process per command) against a postgres storage. */
export function describeCli(label: string, backend: CliBackend): void {
  // Generous: every PGlite start compiles WASM, slow on a busy machine.
  describe(`CLI on ${label}`, { timeout: 180_000 }, () => {
    let dir: string;
    let file: string;
    const cli = (args: string[], input?: string): Promise<CliResult> =>
      runCli(["--config", file, ...args], { env: backend.env, ...(input !== undefined ? { input } : {}) });

    beforeAll(async () => {
      ({ dir } = configDir(""));
      file = join(dir, "vcon-server.yaml");
      // autoMigrate off: the schema comes from `migrate` alone, as in a deployment without DDL rights.
      // A write-only file archive beside it: every command's writes fan out to both.
      const options = await backend.options(dir);
      writeFileSync(
        file,
        `storages:\n  primary:\n    adapter: postgres\n    options:\n${options}      autoMigrate: false\n` +
          `  archive:\n    adapter: file\n    read: false\n    options:\n      directory: ${join(dir, "archive")}\n`,
      );
    });
    afterAll(async () => {
      await backend.dispose?.();
      rmSync(dir, { recursive: true, force: true });
    });

    it("migrate applies the migrations to a fresh database, then is up to date; serve then works without autoMigrate", async () => {
      const uuid = makeVcon().uuid;
      const before = await cli(["get", uuid]);
      expect(before.code).toBe(1);
      expect(before.stderr).toContain('Storage "primary" (adapter "postgres") could not be opened');
      expect(before.stderr).toMatch(/does not exist/);

      const first = await cli(["migrate"]);
      expect(first.stderr).toBe("");
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(MIGRATED);

      const again = await cli(["migrate", "primary"]);
      expect(again.code).toBe(0);
      expect(again.stdout).toBe('primary: up to date (adapter "postgres")\n');

      const server = await serve(["--config", file], { env: backend.env });
      try {
        const health = await fetch(`${server.url}/health`);
        expect(health.status).toBe(200);
        expect(await health.json()).toMatchObject({
          status: "ok",
          storages: [
            { name: "primary", adapter: "postgres", ok: true },
            { name: "archive", adapter: "file", ok: true },
          ],
        });
        expect((await fetch(`${server.url}/vcons/${uuid}`)).status).toBe(404);
      } finally {
        expect(await server.stop()).toBe(0);
      }
    });

    it("save and get one vCon, written to every write storage", async () => {
      const vcon = makeVcon({ subject: "saved by the CLI" });
      const path = join(dir, "one.json");
      writeFileSync(path, JSON.stringify(vcon));
      const saved = await cli(["save", path]);
      expect(saved.code).toBe(0);
      expect(saved.stdout).toBe(`saved ${vcon.uuid} (primary ok, archive ok)\n`);
      const archived = readdirSync(join(dir, "archive"), { recursive: true }) as string[];
      expect(archived.some((path) => path.endsWith(`${vcon.uuid}.json`))).toBe(true);

      const got = await cli(["get", vcon.uuid]);
      expect(got.code).toBe(0);
      expect(JSON.parse(got.stdout)).toEqual(vcon);
    });

    it("imports a folder, a JSON lines file and stdin, then exports everything as JSON lines", async () => {
      const folder = join(dir, "in");
      mkdirSync(join(folder, "nested"), { recursive: true });
      const fromFolder = [makeVcon(), makeVcon(), makeVcon()];
      writeFileSync(join(folder, "a.vcon"), JSON.stringify(fromFolder[0]));
      writeFileSync(join(folder, "nested", "b.json"), JSON.stringify(fromFolder[1]));
      writeFileSync(join(folder, "more.jsonl"), `${JSON.stringify(fromFolder[2])}\n{"subject":"no uuid"}\n`);
      const folderRun = await cli(["import", folder]);
      expect(folderRun.stderr).toContain("more.jsonl:2: $.uuid: a uuid is required");
      expect(folderRun.stderr).toMatch(/imported 3, failed 1, [\d.]+\/s\n$/);
      expect(folderRun.code).toBe(1);

      const fromFile = [makeVcon(), makeVcon(), makeVcon()];
      const lines = join(dir, "batch.jsonl");
      writeFileSync(lines, `${fromFile.map((v) => JSON.stringify(v)).join("\n")}\n`);
      const fileRun = await cli(["import", lines, "--batch", "2"]);
      expect(fileRun.code).toBe(0);
      expect(fileRun.stderr).toMatch(/imported 3, failed 0, [\d.]+\/s\n$/);

      const fromStdin = [makeVcon(), makeVcon()];
      const stdinRun = await cli(["import", "-"], fromStdin.map((v) => JSON.stringify(v)).join("\n"));
      expect(stdinRun.code).toBe(0);
      expect(stdinRun.stderr).toMatch(/imported 2, failed 0/);

      const out = join(dir, "export.jsonl");
      const exported = await cli(["export", "--out", out]);
      expect(exported.code).toBe(0);
      const imported = [...fromFolder, ...fromFile, ...fromStdin];
      const documents = readFileSync(out, "utf8")
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line) as { uuid: string });
      expect(documents).toEqual(expect.arrayContaining(imported));
      expect(exported.stderr).toMatch(new RegExp(`exported ${documents.length}, failed 0`));

      // A date range narrows the export; stdout carries only the JSON lines.
      const ranged = await cli([
        "export",
        "--since",
        fromFile[0]!.created_at as string,
        "--until",
        fromFile[2]!.created_at as string,
      ]);
      expect(ranged.code).toBe(0);
      expect(
        ranged.stdout
          .trimEnd()
          .split("\n")
          .map((line) => JSON.parse(line).uuid),
      ).toEqual(fromFile.slice(0, 2).map((v) => v.uuid));
    });

    it("config prints the effective configuration, secrets masked, and --check validates it", async () => {
      const result = await cli(["config", "--check"]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("adapter: postgres");
      expect(result.stdout).toContain("autoMigrate: false");
      expect(result.stderr).toBe("configuration is valid\n");
    });
  });
}
