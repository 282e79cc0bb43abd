/**
 * Two `vcon-server serve` processes on one PostgreSQL primary, each with a journal of its own, both
 * replicating to the same file archive: what a deployment that scales the service out does. The
 * primary's change log has one consumer (its claim): the service holding it feeds and delivers every
 * write, the other's included; the other says so in its status. Take-over moves the claim once the
 * holder is gone; a former holder started again stays quiet. Nothing reaches the archive twice out of
 * order, and no write is missed.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, sqlRows, type TestDatabase } from "@vcon/test-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type ServeProcess, serve } from "./cli-helpers.js";
import { makeVcon, postJson } from "./helpers.js";
import { archivedTexts, eventually } from "./replication-helpers.js";

interface Replication {
  pending: number;
  lastError: string | null;
  fedBy: string | null;
}

const FED_BY_JOURNAL = /^journal [0-9a-f-]{36} on /;

/** The replication gauges of one replica on a service's /metrics. */
async function gaugesOf(url: string, replica: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const gauges: Record<string, number> = {};
  for (const [, name, value] of text.matchAll(
    new RegExp(`^vcon_replication_(\\w+)\\{[^}]*replica="${replica}"[^}]*\\} (\\S+)$`, "gm"),
  ))
    gauges[name!] = Number(value);
  return gauges;
}

let db: TestDatabase;
let dir: string;
let archiveDir: string;
const config = (name: "a" | "b") => join(dir, `${name}.yaml`);
const running: ServeProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase("vcon_two_services");
  dir = mkdtempSync(join(tmpdir(), "vcon-two-services-"));
  archiveDir = join(dir, "archive");
  for (const name of ["a", "b"] as const) {
    writeFileSync(
      config(name),
      [
        "storages:",
        "  primary:",
        "    adapter: postgres",
        "    options:",
        `      url: ${db.url}`,
        "  archive:",
        "    adapter: file",
        "    options:",
        `      directory: ${archiveDir}`,
        "      fsync: false",
        "replication:",
        `  journal: ${join(dir, `journal-${name}.sqlite`)}`,
        "  retryInitialMs: 20",
        "  retryMaxMs: 200",
        "",
      ].join("\n"),
    );
  }
}, 60_000);

afterAll(async () => {
  await Promise.all(running.map((service) => service.stop()));
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function start(name: "a" | "b"): Promise<ServeProcess> {
  const service = await serve(["--config", config(name)], { cwd: dir });
  running.push(service);
  return service;
}

async function stop(service: ServeProcess): Promise<void> {
  await service.stop();
  running.splice(running.indexOf(service), 1);
}

async function archiveOf(url: string): Promise<Replication> {
  const health = (await (await fetch(`${url}/health`)).json()) as {
    storages: Array<{ name: string; replication?: Replication }>;
  };
  return health.storages.find((storage) => storage.name === "archive")!.replication!;
}

/** uuid -> exact stored text, in the primary's table and in the archive's files. */
async function stored(): Promise<{ primary: Map<string, string>; archive: Map<string, string> }> {
  const rows = await sqlRows<{ uuid: string; vcon: string }>(
    db.url,
    "SELECT uuid::text AS uuid, vcon FROM vcons",
  );
  return { primary: new Map(rows.map((row) => [row.uuid, row.vcon])), archive: archivedTexts(archiveDir) };
}

async function converged(): Promise<void> {
  await eventually(
    async () => {
      const { primary, archive } = await stored();
      return (
        primary.size === archive.size && [...primary].every(([uuid, text]) => archive.get(uuid) === text)
      );
    },
    30_000,
    "the archive holding exactly what the primary holds",
  );
}

async function postMany(url: string, count: number): Promise<string[]> {
  const vcons = Array.from({ length: count }, () => makeVcon());
  const answers = await Promise.all(vcons.map((vcon) => postJson(`${url}/vcons`, vcon)));
  expect(answers.map((answer) => answer.status)).toStrictEqual(vcons.map(() => 201));
  return vcons.map((vcon) => vcon.uuid);
}

describe("two services with journals of their own on one primary", () => {
  let a: ServeProcess;
  let b: ServeProcess;

  it("one journal feeds the change log; the other service says so, and every write of both reaches the archive", async () => {
    a = await start("a");
    await postMany(a.url, 5);
    await converged();
    b = await start("b");
    await eventually(
      async () => FED_BY_JOURNAL.test((await archiveOf(b.url)).fedBy ?? ""),
      30_000,
      "b reporting that another journal feeds the change log",
    );
    // Fed elsewhere is not failing: b's replica has no error, and a feeds it.
    expect((await archiveOf(b.url)).lastError).toBeNull();
    expect(await gaugesOf(b.url, "archive")).toMatchObject({ failing: 0, fed_elsewhere: 1 });
    expect(await archiveOf(a.url)).toMatchObject({ lastError: null, fedBy: null });
    expect(await gaugesOf(a.url, "archive")).toMatchObject({ failing: 0, fed_elsewhere: 0 });
    const fromA = await postMany(a.url, 30);
    const fromB = await postMany(b.url, 30);
    // A delete made through b: a's journal carries it too.
    expect((await fetch(`${b.url}/vcons/${fromA[0]}`, { method: "DELETE" })).status).toBeLessThan(300);
    await converged();
    const { archive } = await stored();
    for (const uuid of [...fromA.slice(1), ...fromB]) expect(archive.has(uuid), uuid).toBe(true);
    expect(archive.has(fromA[0]!), "the delete made through b replicated").toBe(false);
    // b's own journal owes nothing: a delivered everything.
    expect((await archiveOf(b.url)).pending).toBe(0);
    const status = await runCli(["--config", config("b"), "replication", "status"]);
    expect(status.stdout).toMatch(/fed by another journal/);
  });

  it("take-over is refused while the holder is alive, moves the claim once it is gone, and the former holder stays quiet", async () => {
    const refused = await runCli(["--config", config("b"), "replication", "take-over"]);
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(/renewed its claim \d+ s ago: its service looks alive/);

    await stop(a);
    // Written while nobody feeds: they wait in the primary's change log.
    const waiting = await postMany(b.url, 10);
    const taken = await runCli(["--config", config("b"), "replication", "take-over", "--force"]);
    expect(taken.code, taken.stderr).toBe(0);
    expect(taken.stdout).toMatch(/the change log is now fed by this journal/);
    expect(taken.stdout).toContain("vcon-server sync --from primary --to archive --delete");
    await eventually(async () => (await archiveOf(b.url)).fedBy === null, 30_000, "b feeding");
    await converged();
    const { archive } = await stored();
    for (const uuid of waiting) expect(archive.has(uuid), uuid).toBe(true);

    // a back: it neither feeds nor delivers, and its writes reach the archive through b.
    a = await start("a");
    await eventually(
      async () => FED_BY_JOURNAL.test((await archiveOf(a.url)).fedBy ?? ""),
      30_000,
      "a reporting that b now feeds the change log",
    );
    const late = await postMany(a.url, 10);
    await converged();
    const after = await stored();
    for (const uuid of late) expect(after.archive.has(uuid), uuid).toBe(true);
  });
});
