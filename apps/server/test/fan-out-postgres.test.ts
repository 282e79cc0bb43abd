import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeVcon, postJson, type RunningServer, startServer } from "./helpers.js";
import { FAST_FAILURE, type ProxiedDatabase, proxiedDatabase } from "./postgres.js";
import { eventually } from "./replication-helpers.js";

interface Outcome {
  storage: string;
  ok: boolean;
  code?: string;
}

/** Every `<uuid>.json` under the archive folder (the file adapter shards into sub-folders). */
function archivedUuids(directory: string): string[] {
  return (readdirSync(directory, { recursive: true }) as string[])
    .map((path) => /([0-9a-f-]{36})\.json$/.exec(path)?.[1])
    .filter((uuid): uuid is string => uuid !== undefined);
}

describe("replication: postgres primary (real server) and file archive", () => {
  const archiveDir = mkdtempSync(join(tmpdir(), "vcon-server-archive-"));
  let db: ProxiedDatabase;
  let running: RunningServer;

  beforeAll(async () => {
    db = await proxiedDatabase("vcon_server_fanout");
    running = await startServer({
      storages: {
        primary: { adapter: "postgres", options: { url: db.proxiedUrl, ...FAST_FAILURE } },
        archive: { adapter: "file", options: { directory: archiveDir, fsync: false } },
      },
    });
  });
  afterAll(async () => {
    await running?.close();
    await db?.dispose();
    rmSync(archiveDir, { recursive: true, force: true });
  });

  it("writes commit on the primary and reach the archive through the journal", async () => {
    const batch = [makeVcon(), makeVcon()];
    const response = await postJson(`${running.url}/vcons`, batch);
    expect(response.status).toBe(201);
    expect(((await response.json()) as { storages: Outcome[] }).storages).toEqual([
      { storage: "primary", ok: true, saved: 2 },
      { storage: "archive", ok: true, queued: 2 },
    ]);
    expect(await running.server.storages.byName("primary")!.get(batch[0]!.uuid)).toEqual(batch[0]);
    await eventually(() => batch.every((v) => archivedUuids(archiveDir).includes(v.uuid)));

    const deleted = await fetch(`${running.url}/vcons/${batch[0]!.uuid}`, { method: "DELETE" });
    expect(((await deleted.json()) as { storages: Outcome[] }).storages).toEqual([
      { storage: "primary", ok: true, deleted: true },
      { storage: "archive", ok: true, queued: 1 },
    ]);
    await eventually(() => !archivedUuids(archiveDir).includes(batch[0]!.uuid));
  });

  it("a document only the archive holds is not served while the primary answers", async () => {
    const onlyArchived = makeVcon();
    await running.server.storages.byName("archive")!.save(onlyArchived);
    expect((await fetch(`${running.url}/vcons/${onlyArchived.uuid}`)).status).toBe(404);
  });

  it("refuses writes while the primary is down (the archive untouched), reads from the archive, and recovers", async () => {
    const before = makeVcon();
    expect((await postJson(`${running.url}/vcons`, before)).status).toBe(201);
    await eventually(() => archivedUuids(archiveDir).includes(before.uuid));
    await db.proxy.stop();
    try {
      const vcon = makeVcon();
      const write = await postJson(`${running.url}/vcons`, vcon);
      expect(write.status).toBe(503);
      const body = (await write.json()) as { error: { code: string; storages: Outcome[] } };
      expect(body.error.code).toBe("UNAVAILABLE");
      expect(body.error.storages.map(({ storage, ok, code }) => ({ storage, ok, code }))).toEqual([
        { storage: "primary", ok: false, code: "UNAVAILABLE" },
        { storage: "archive", ok: false, code: undefined },
      ]);
      expect(archivedUuids(archiveDir)).not.toContain(vcon.uuid);

      const read = await fetch(`${running.url}/vcons/${before.uuid}`);
      expect(read.status).toBe(200);
      expect(read.headers.get("vcon-storage")).toBe("archive");
      expect(read.headers.get("vcon-storage-failures")).toBe("primary=UNAVAILABLE");

      const health = await fetch(`${running.url}/health`);
      expect(health.status).toBe(503);
      const report = (await health.json()) as { status: string; storages: { name: string; ok: boolean }[] };
      expect(report.status).toBe("degraded");
      expect(report.storages.map(({ name, ok }) => ({ name, ok }))).toEqual([
        { name: "primary", ok: false },
        { name: "archive", ok: true },
      ]);
    } finally {
      await db.proxy.start();
    }
    expect((await fetch(`${running.url}/health`)).status).toBe(200);
    const again = makeVcon();
    expect((await postJson(`${running.url}/vcons`, again)).status).toBe(201);
    expect((await fetch(`${running.url}/vcons/${again.uuid}`)).headers.get("vcon-storage")).toBe("primary");
    await eventually(() => archivedUuids(archiveDir).includes(again.uuid));
  });
});
