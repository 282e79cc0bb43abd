import { mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { VconStorage } from "@vcon/storage-core";
import { createTestDatabase, sqlRows, type TestDatabase } from "@vcon/test-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRegistry } from "../src/index.js";
import { Journal } from "../src/replication/journal.js";
import { runCli } from "./cli-helpers.js";
import { makeVcon } from "./helpers.js";

/** The archive's files by uuid: the exact stored text. */
function archiveFiles(directory: string): Map<string, { path: string; text: string }> {
  const files = new Map<string, { path: string; text: string }>();
  for (const path of readdirSync(directory, { recursive: true }) as string[]) {
    const uuid = /([0-9a-f-]{36})\.json$/.exec(path)?.[1];
    if (uuid)
      files.set(uuid, { path: join(directory, path), text: readFileSync(join(directory, path), "utf8") });
  }
  return files;
}

describe("sync: repairs a replica damaged by hand (postgres primary, file archive)", () => {
  let db: TestDatabase;
  let dir: string;
  let archiveDir: string;
  let config: string;
  let primary: VconStorage;
  let archive: VconStorage;

  beforeAll(async () => {
    db = await createTestDatabase("vcon_server_sync");
    dir = mkdtempSync(join(tmpdir(), "vcon-server-sync-"));
    archiveDir = join(dir, "archive");
    config = join(dir, "vcon-server.yaml");
    writeFileSync(
      config,
      `storages:\n  primary:\n    adapter: postgres\n    options:\n      url: ${db.url}\n  archive:\n    adapter: file\n    options:\n      directory: ${archiveDir}\nreplication:\n  journal: ${join(dir, "journal.sqlite")}\n`,
    );
    primary = await appRegistry().create({ adapter: "postgres", options: { url: db.url } });
    archive = await appRegistry().create({ adapter: "file", options: { directory: archiveDir } });
  });
  afterAll(async () => {
    await primary?.close();
    await archive?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists missing, different and extra vCons on --dry-run, copies and (with --delete) removes, then finds none", async () => {
    const vcons = Array.from({ length: 20 }, () => makeVcon());
    for (const vcon of vcons) {
      await primary.save(JSON.stringify(vcon));
      await archive.save(JSON.stringify(vcon));
    }
    // The damage, by hand: files removed, files edited, documents the primary never had.
    const files = archiveFiles(archiveDir);
    const removed = vcons.slice(0, 3).map((v) => v.uuid);
    for (const uuid of removed) unlinkSync(files.get(uuid)!.path);
    const changed = vcons.slice(3, 5).map((v) => v.uuid);
    for (const uuid of changed) {
      const edited = { ...(JSON.parse(files.get(uuid)!.text) as object), subject: "edited by hand" };
      writeFileSync(files.get(uuid)!.path, JSON.stringify(edited));
    }
    const extras = [makeVcon(), makeVcon()];
    for (const vcon of extras) await archive.save(JSON.stringify(vcon));
    const sync = (...flags: string[]) =>
      runCli(["--config", config, "sync", "--from", "primary", "--to", "archive", ...flags]);

    const dryRun = await sync("--dry-run");
    expect(dryRun.code).toBe(0);
    const lines = dryRun.stdout.trim().split("\n").sort();
    expect(lines).toEqual(
      [
        ...removed.map((uuid) => `missing ${uuid}`),
        ...changed.map((uuid) => `different ${uuid}`),
        ...extras.map((v) => `extra ${v.uuid}`),
      ].sort(),
    );
    expect(dryRun.stderr).toContain("20 compared: 3 missing, 2 different, 2 extra; nothing written");
    expect(archiveFiles(archiveDir).size).toBe(19);

    const repair = await sync();
    expect(repair.code).toBe(0);
    expect(repair.stderr).toContain("5 copied (extras kept: --delete removes them)");
    const pruned = await sync("--delete");
    expect(pruned.stderr).toContain("0 missing, 0 different, 2 extra; 0 copied, 2 deleted");

    const clean = await sync("--dry-run");
    expect(clean.stdout).toBe("");
    expect(clean.stderr).toContain("20 compared: 0 missing, 0 different, 0 extra");

    // Byte for byte what the primary stores.
    const rows = await sqlRows<{ uuid: string; vcon: string }>(
      db.url,
      "SELECT uuid::text AS uuid, vcon FROM vcons",
    );
    const repaired = archiveFiles(archiveDir);
    expect([...repaired.keys()].sort()).toEqual(rows.map((r) => r.uuid).sort());
    for (const row of rows) expect(repaired.get(row.uuid)!.text).toBe(row.vcon);
  });

  it("refuses an unknown storage name and names the configured ones", async () => {
    const result = await runCli(["--config", config, "sync", "--from", "primary", "--to", "nowhere"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No storage named "nowhere"');
    expect(result.stderr).toContain("configured: primary, archive");
  });
});

describe("replication status, retry and drop (the journal, read and edited by the CLI)", () => {
  const dir = mkdtempSync(join(tmpdir(), "vcon-server-replication-cli-"));
  const config = join(dir, "vcon-server.yaml");
  const journalFile = join(dir, "journal.sqlite");
  writeFileSync(
    config,
    `storages:\n  primary:\n    adapter: memory\n  archive:\n    adapter: memory\nreplication:\n  journal: ${journalFile}\n`,
  );
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("shows pending entries and dead letters with their reason; retry and drop them by id or --all", async () => {
    const empty = await runCli(["--config", config, "replication", "status"]);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain("archive: 0 pending, 0 dead letter(s)");

    const journal = Journal.open(journalFile);
    const [refused, waiting] = [makeVcon(), makeVcon()];
    const ids = await journal.append(
      [refused, waiting].map((v) => ({ uuid: v.uuid, op: "save" as const, body: JSON.stringify(v) })),
      ["archive"],
    );
    await journal.confirm(ids);
    const [delivery] = journal.deliverable("archive", 1);
    await journal.deadLetter("archive", delivery!, "VALIDATION: vCon too large for this storage");
    await journal.close();

    const status = await runCli(["--config", config, "replication", "status"]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^archive: 1 pending, oldest \d+ s, 1 dead letter\(s\)$/m);
    expect(status.stdout).toMatch(
      new RegExp(
        `^dead letter (\\d+): archive save ${refused.uuid} \\(.*\\): VALIDATION: vCon too large`,
        "m",
      ),
    );
    const id = /^dead letter (\d+):/m.exec(status.stdout)![1]!;
    const json = JSON.parse(
      (await runCli(["--config", config, "replication", "status", "--json"])).stdout,
    ) as {
      replicas: { replica: string; pending: number; deadLetters: number }[];
      deadLetters: { id: number; uuid: string; reason: string }[];
    };
    expect(json.replicas).toMatchObject([{ replica: "archive", pending: 1, deadLetters: 1 }]);
    expect(json.deadLetters).toMatchObject([{ id: Number(id), uuid: refused.uuid }]);

    expect((await runCli(["--config", config, "replication", "retry", id])).stdout).toBe(
      "1 dead letter(s) back in the queue\n",
    );
    expect((await runCli(["--config", config, "replication", "status"])).stdout).toContain(
      "archive: 2 pending",
    );
    const none = await runCli(["--config", config, "replication", "drop", "--all"]);
    expect(none.stdout).toBe("0 dead letter(s) dropped\n");
    expect(none.code).toBe(1);
    const noIds = await runCli(["--config", config, "replication", "drop"]);
    expect(noIds.code).toBe(1);
    expect(noIds.stderr).toContain("give dead-letter ids or --all");
  });
});
