import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isStorageError, type ValidationError } from "@vcon/storage-core";
import { freePort } from "@vcon/test-postgres";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildServer, type VconServer } from "../src/index.js";
import { Journal } from "../src/replication/journal.js";
import { makeVcon, postJson } from "./helpers.js";
import { eventually, registryWithSizeLimit, tempDir } from "./replication-helpers.js";

interface Running {
  server: VconServer;
  url: string;
  dir: string;
}

const started: Running[] = [];

/** Where writes keep the replicas' entries: the primary's change log (memory has one), or the journal. */
let changeLog: "auto" | "on" | "off" = "auto";

async function start(storages: Record<string, unknown>, dir = tempDir("app")): Promise<Running> {
  const server = await buildServer(
    {
      server: { logLevel: "silent", port: 0 },
      storages: storages as never,
      replication: {
        journal: join(dir, "journal.sqlite"),
        retryInitialMs: 20,
        retryMaxMs: 200,
        changeLog,
      },
    },
    { registry: registryWithSizeLimit() },
  ).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  const url = await server.listen();
  const running = { server, url, dir };
  started.push(running);
  return running;
}

afterEach(async () => {
  for (const running of started.splice(0)) {
    await running.server.close();
    rmSync(running.dir, { recursive: true, force: true });
  }
});

const pendingOf = (running: Running, replica: string) =>
  running.server.storages.replication().find((r) => r.replica === replica);

describe.each([
  { mode: "auto", path: "change-log", title: "entries in the primary's change log" },
  { mode: "off", path: "journal", title: "entries in the journal before the primary" },
] as const)("replication: primary first, replicas through the journal ($title)", ({ mode, path }) => {
  beforeEach(() => {
    changeLog = mode;
  });

  it("uses the write path the configuration asks for", async () => {
    const app = await start({ primary: { adapter: "memory" }, archive: { adapter: "memory" } });
    expect(app.server.storages.replicationPath).toBe(path);
  });

  it("acknowledges after the primary and the journal, then delivers to every replica", async () => {
    const app = await start({
      primary: { adapter: "memory" },
      archive: { adapter: "memory" },
      copy: { adapter: "memory" },
    });
    const vcon = makeVcon();
    const response = await postJson(`${app.url}/vcons`, vcon);
    expect(response.status).toBe(201);
    expect(((await response.json()) as { storages: unknown[] }).storages).toEqual([
      { storage: "primary", ok: true, saved: 1 },
      { storage: "archive", ok: true, queued: 1 },
      { storage: "copy", ok: true, queued: 1 },
    ]);
    expect(await app.server.storages.byName("primary")!.get(vcon.uuid)).toEqual(vcon);
    for (const name of ["archive", "copy"]) {
      await eventually(async () => (await app.server.storages.byName(name)!.get(vcon.uuid)) !== null);
      expect(await app.server.storages.byName(name)!.get(vcon.uuid)).toEqual(vcon);
    }
    await eventually(() => app.server.storages.replication().every((r) => r.pending === 0));
  });

  it("keeps a delete acknowledged after a save deleted on the replica (entries coalesce per uuid)", async () => {
    const app = await start({ primary: { adapter: "memory" }, archive: { adapter: "memory" } });
    const vcons = Array.from({ length: 20 }, () => makeVcon());
    expect((await postJson(`${app.url}/vcons`, vcons)).status).toBe(201);
    for (const vcon of vcons.slice(0, 10)) {
      expect((await fetch(`${app.url}/vcons/${vcon.uuid}`, { method: "DELETE" })).status).toBe(200);
    }
    await eventually(() => pendingOf(app, "archive")?.pending === 0);
    const archive = app.server.storages.byName("archive")!;
    for (const vcon of vcons.slice(0, 10)) expect(await archive.get(vcon.uuid)).toBeNull();
    for (const vcon of vcons.slice(10)) expect(await archive.get(vcon.uuid)).toEqual(vcon);
  });

  it("answers 503 and writes nothing anywhere when the primary is down", async () => {
    const app = await start({ primary: { adapter: "memory" }, archive: { adapter: "memory" } });
    const before = makeVcon();
    expect((await postJson(`${app.url}/vcons`, before)).status).toBe(201);
    await eventually(async () => (await app.server.storages.byName("archive")!.get(before.uuid)) !== null);
    await app.server.storages.byName("primary")!.close();

    const vcon = makeVcon();
    const response = await postJson(`${app.url}/vcons`, vcon);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    const body = (await response.json()) as {
      error: { code: string; storages: { storage: string; ok: boolean }[] };
    };
    expect(body.error.code).toBe("UNAVAILABLE");
    expect(body.error.storages.map(({ storage, ok }) => ({ storage, ok }))).toEqual([
      { storage: "primary", ok: false },
      { storage: "archive", ok: false },
    ]);
    const deleted = await fetch(`${app.url}/vcons/${before.uuid}`, { method: "DELETE" });
    expect(deleted.status).toBe(503);

    // The replica is untouched: no new document, and the earlier one is still there.
    const archive = app.server.storages.byName("archive")!;
    expect(await archive.get(vcon.uuid)).toBeNull();
    expect(await archive.get(before.uuid)).toEqual(before);

    // Reads fall back to the replica, and say so; a replica's miss is not a 404.
    const read = await fetch(`${app.url}/vcons/${before.uuid}`);
    expect(read.status).toBe(200);
    expect(read.headers.get("vcon-storage")).toBe("archive");
    expect(read.headers.get("vcon-storage-failures")).toBe("primary=CLOSED");
    expect((await fetch(`${app.url}/vcons/${vcon.uuid}`)).status).toBe(503);
  });

  it("exports from the primary, and from a replica (said so) only when the primary fails", async () => {
    const app = await start({ primary: { adapter: "memory" }, archive: { adapter: "memory" } });
    const vcons = [makeVcon(), makeVcon()];
    expect((await postJson(`${app.url}/vcons`, vcons)).status).toBe(201);
    await eventually(() => pendingOf(app, "archive")?.pending === 0);
    const exported = async () => {
      const fallbacks: string[] = [];
      const uuids: string[] = [];
      for await (const d of app.server.storages.export({}, undefined, (storage, failure) =>
        fallbacks.push(`${storage}:${failure.storage}=${failure.code}`),
      ))
        uuids.push(String(d.uuid));
      return { uuids, fallbacks };
    };
    expect(await exported()).toEqual({ uuids: vcons.map((v) => v.uuid), fallbacks: [] });
    await app.server.storages.byName("primary")!.close();
    expect(await exported()).toEqual({
      uuids: vcons.map((v) => v.uuid),
      fallbacks: ["archive:primary=CLOSED"],
    });
  });

  it("reads the primary only while it answers: a document only a replica holds is not served", async () => {
    const app = await start({ primary: { adapter: "memory" }, archive: { adapter: "memory" } });
    const stray = makeVcon();
    await app.server.storages.byName("archive")!.save(stray);
    expect((await fetch(`${app.url}/vcons/${stray.uuid}`)).status).toBe(404);
  });

  it("moves a permanent refusal to the dead letters, keeps delivering the rest, retries and drops on request", async () => {
    const app = await start({
      primary: { adapter: "memory" },
      small: { adapter: "size-limited", options: { maxBytes: 2000 } },
    });
    const big = makeVcon({ subject: "x".repeat(5000) });
    const fine = makeVcon();
    expect((await postJson(`${app.url}/vcons`, big)).status).toBe(201);
    expect((await postJson(`${app.url}/vcons`, fine)).status).toBe(201);
    const small = app.server.storages.byName("small")!;
    await eventually(async () => (await small.get(fine.uuid)) !== null);
    await eventually(
      () => pendingOf(app, "small")?.deadLetters === 1 && pendingOf(app, "small")?.pending === 0,
    );

    const journal = app.server.storages.journal!;
    const [letter] = journal.deadLetters();
    expect(letter).toMatchObject({ replica: "small", uuid: big.uuid, op: "save" });
    expect(letter!.reason).toMatch(/^VALIDATION: .*over this storage's limit of 2000/);

    // Health shows it per replica.
    const health = (await (await fetch(`${app.url}/health`)).json()) as {
      storages: { name: string; role: string; replication?: { deadLetters: number; pending: number } }[];
    };
    expect(health.storages.find((s) => s.name === "small")).toMatchObject({
      role: "replica",
      replication: { deadLetters: 1, pending: 0 },
    });

    // And the metrics.
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toContain('vcon_replication_dead_letters{replica="small"} 1');
    expect(metrics).toContain('vcon_replication_pending{replica="small"} 0');
    expect(metrics).toMatch(/vcon_replication_failing\{replica="small"\} [01]/);

    // Retried, it is refused again (nothing changed), and stays listed: never dropped silently.
    expect(await journal.retry({ ids: [letter!.id] })).toBe(1);
    await eventually(() => journal.deadLetters().length === 1 && pendingOf(app, "small")?.pending === 0);
    expect(await journal.drop({ all: true })).toBe(1);
    expect(journal.deadLetters()).toEqual([]);
    expect(pendingOf(app, "small")).toMatchObject({ pending: 0, deadLetters: 0 });
  });

  it("a later write of the uuid that the replica accepts clears its dead letter", async () => {
    const app = await start({
      primary: { adapter: "memory" },
      small: { adapter: "size-limited", options: { maxBytes: 2000 } },
    });
    const big = makeVcon({ subject: "x".repeat(5000) });
    expect((await postJson(`${app.url}/vcons`, big)).status).toBe(201);
    await eventually(() => pendingOf(app, "small")?.deadLetters === 1);
    const smaller = { ...big, subject: "short now" };
    expect((await postJson(`${app.url}/vcons`, smaller)).status).toBe(201);
    await eventually(() => pendingOf(app, "small")?.deadLetters === 0);
    expect(await app.server.storages.byName("small")!.get(big.uuid)).toEqual(smaller);
  });

  it("refuses a second primary and a primary that does not read", async () => {
    await expect(
      start({ a: { adapter: "memory", primary: true }, b: { adapter: "memory", primary: true } }),
    ).rejects.toThrow(/storages\.b\.primary: only one storage can be the primary/);
    await expect(start({ a: { adapter: "memory", read: false }, b: { adapter: "memory" } })).rejects.toThrow(
      /storages\.a\.read: the primary answers reads/,
    );
  });

  it("keeps a storage's error type when it cannot be opened: an outage is retryable, bad options are not", async () => {
    const port = await freePort();
    const down = await buildServer({
      server: { logLevel: "silent", port: 0 },
      storages: {
        primary: {
          adapter: "postgres",
          options: { url: `postgres://u@127.0.0.1:${port}/x`, connectionTimeoutMs: 1000 },
        },
      },
    }).catch((error: unknown) => error);
    expect(isStorageError(down, "UNAVAILABLE")).toBe(true);
    expect(down).toMatchObject({ retryable: true });
    expect((down as Error).message).toMatch(
      /^Storage "primary" \(adapter "postgres"\) could not be opened: /,
    );

    const misconfigured = await buildServer({
      server: { logLevel: "silent", port: 0 },
      storages: {
        primary: { adapter: "memory" },
        archive: { adapter: "memory", options: { colour: "blue" } },
      },
    }).catch((error: unknown) => error);
    expect(isStorageError(misconfigured, "VALIDATION")).toBe(true);
    expect(misconfigured).toMatchObject({ retryable: false });
    expect((misconfigured as ValidationError).issues.length).toBeGreaterThan(0);
  });

  it("does not start when the journal cannot be opened, and says why", async () => {
    const folder = tempDir("blocked");
    const blocker = join(folder, "not-a-folder");
    writeFileSync(blocker, "");
    const opening = buildServer({
      server: { logLevel: "silent", port: 0 },
      storages: { primary: { adapter: "memory" }, archive: { adapter: "memory" } },
      replication: { journal: join(blocker, "journal.sqlite") },
    });
    await expect(opening).rejects.toMatchObject({
      code: "UNAVAILABLE",
      message: expect.stringMatching(/^The replication journal could not be opened: /),
    });
    rmSync(folder, { recursive: true, force: true });
  });

  it("uses the storage marked primary: true, wherever it is in the configuration", async () => {
    const app = await start({ archive: { adapter: "memory" }, main: { adapter: "memory", primary: true } });
    expect(app.server.storages.roles).toEqual({ primary: "main", replicas: ["archive"], readOnly: [] });
    const vcon = makeVcon();
    const body = (await (await postJson(`${app.url}/vcons`, vcon)).json()) as {
      storages: { storage: string }[];
    };
    expect(body.storages.map((s) => s.storage)).toEqual(["main", "archive"]);
  });

  it("keeps the journal's entries across a restart until the replica has them", async () => {
    const dir = tempDir("restart");
    const journalFile = join(dir, "journal.sqlite");
    // Entries written by a process that never delivered them (no replicator, as a CLI import
    // next to a stopped service leaves them).
    const journal = Journal.open(journalFile);
    const vcon = makeVcon();
    const [id] = await journal.append(
      [{ uuid: vcon.uuid, op: "save", body: JSON.stringify(vcon) }],
      ["archive"],
    );
    await journal.confirm([id!]);
    await journal.close();

    const app = await start({ primary: { adapter: "memory" }, archive: { adapter: "memory" } }, dir);
    await eventually(async () => (await app.server.storages.byName("archive")!.get(vcon.uuid)) !== null);
    await eventually(() => pendingOf(app, "archive")?.pending === 0);
  });
});

describe("replication from the primary's change log", () => {
  beforeEach(() => {
    changeLog = "auto";
  });

  it("replicates a write made on the primary by another program, not through the service", async () => {
    const app = await start({ primary: { adapter: "memory" }, archive: { adapter: "memory" } });
    const vcon = makeVcon();
    // Straight to the primary storage, as a CLI import or another service sharing the database would.
    await app.server.storages.primary.save(vcon);
    await eventually(async () => (await app.server.storages.byName("archive")!.get(vcon.uuid)) !== null);
    expect(await app.server.storages.byName("archive")!.get(vcon.uuid)).toEqual(vcon);
    await app.server.storages.primary.delete(vcon.uuid);
    await eventually(async () => (await app.server.storages.byName("archive")!.get(vcon.uuid)) === null);
    await eventually(() => pendingOf(app, "archive")?.pending === 0);
  });

  it('refuses to start with changeLog: "on" when the primary keeps no change log, and says why', async () => {
    const dir = tempDir("no-log");
    changeLog = "on";
    await expect(
      start({
        primary: { adapter: "file", options: { directory: join(dir, "p") } },
        archive: { adapter: "memory" },
      }),
    ).rejects.toThrow(/changeLog is "on" but the primary "primary" \(file\) keeps no change log/);
    rmSync(dir, { recursive: true, force: true });
  });

  it("falls back to the journal (auto) when the primary keeps no change log", async () => {
    const dir = tempDir("fallback");
    const app = await start(
      {
        primary: { adapter: "file", options: { directory: join(dir, "p") } },
        archive: { adapter: "memory" },
      },
      dir,
    );
    expect(app.server.storages.replicationPath).toBe("journal");
    const vcon = makeVcon();
    expect((await postJson(`${app.url}/vcons`, vcon)).status).toBe(201);
    await eventually(async () => (await app.server.storages.byName("archive")!.get(vcon.uuid)) !== null);
  });
});
