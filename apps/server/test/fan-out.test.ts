import { afterEach, describe, expect, it } from "vitest";
import { makeVcon, postJson, type RunningServer, startServer } from "./helpers.js";
import { eventually } from "./replication-helpers.js";

const twoStorages = {
  storages: { primary: { adapter: "memory" }, archive: { adapter: "memory" } },
};

describe("primary and replicas: writes, reads and outages", () => {
  let running: RunningServer | undefined;
  afterEach(async () => running?.close());

  it("commits on the primary, queues for the replica, and the replica catches up", async () => {
    running = await startServer(twoStorages);
    const vcon = makeVcon();
    const response = await postJson(`${running.url}/vcons`, vcon);
    expect(response.status).toBe(201);
    expect(((await response.json()) as { storages: unknown[] }).storages).toEqual([
      { storage: "primary", ok: true, saved: 1 },
      { storage: "archive", ok: true, queued: 1 },
    ]);
    expect(await running.server.storages.byName("primary")!.get(vcon.uuid)).toEqual(vcon);
    const archive = running.server.storages.byName("archive")!;
    await eventually(async () => (await archive.get(vcon.uuid)) !== null);
    expect(await archive.get(vcon.uuid)).toEqual(vcon);
  });

  it("never writes a write: false storage, and asks it only when the primary cannot answer", async () => {
    running = await startServer({
      storages: { cache: { adapter: "memory", write: false }, primary: { adapter: "memory" } },
    });
    expect(running.server.storages.roles).toEqual({ primary: "primary", replicas: [], readOnly: ["cache"] });
    const vcon = makeVcon();
    expect((await postJson(`${running.url}/vcons`, vcon)).status).toBe(201);
    expect(await running.server.storages.byName("cache")!.get(vcon.uuid)).toBeNull();
    const fromPrimary = await fetch(`${running.url}/vcons/${vcon.uuid}`);
    expect(fromPrimary.headers.get("vcon-storage")).toBe("primary");

    // A document only the cache holds is not served while the primary answers: the primary decides.
    const cached = makeVcon();
    await running.server.storages.byName("cache")!.save(cached);
    expect((await fetch(`${running.url}/vcons/${cached.uuid}`)).status).toBe(404);
    await running.server.storages.byName("primary")!.close();
    const fallback = await fetch(`${running.url}/vcons/${cached.uuid}`);
    expect(fallback.status).toBe(200);
    expect(fallback.headers.get("vcon-storage")).toBe("cache");
    expect(fallback.headers.get("vcon-storage-failures")).toBe("primary=CLOSED");
  });

  it("answers 503 with Retry-After and writes nothing anywhere while the primary is down", async () => {
    running = await startServer(twoStorages);
    const before = makeVcon();
    expect((await postJson(`${running.url}/vcons`, before)).status).toBe(201);
    const archive = running.server.storages.byName("archive")!;
    await eventually(async () => (await archive.get(before.uuid)) !== null);
    await running.server.storages.byName("primary")!.close();

    const vcon = makeVcon();
    const response = await postJson(`${running.url}/vcons`, vcon);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    const body = (await response.json()) as {
      error: { code: string; storages: { storage: string; ok: boolean; code?: string }[] };
    };
    expect(body.error.code).toBe("UNAVAILABLE");
    expect(body.error.storages.map(({ storage, ok, code }) => ({ storage, ok, code }))).toEqual([
      { storage: "primary", ok: false, code: "CLOSED" },
      { storage: "archive", ok: false, code: undefined },
    ]);
    expect(await archive.get(vcon.uuid)).toBeNull();

    // Reads fall back to the archive and say which storage failed before it.
    const read = await fetch(`${running.url}/vcons/${before.uuid}`);
    expect(read.status).toBe(200);
    expect(read.headers.get("vcon-storage")).toBe("archive");
    expect(read.headers.get("vcon-storage-failures")).toBe("primary=CLOSED");

    // Absence cannot be claimed while the primary is down: the archive may be behind.
    const missing = await fetch(`${running.url}/vcons/${makeVcon().uuid}`);
    expect(missing.status).toBe(503);

    // Search falls back too, and says so.
    const search = await fetch(`${running.url}/vcons?subject=${encodeURIComponent(String(before.subject))}`);
    expect(search.status).toBe(200);
    expect(search.headers.get("vcon-storage-failures")).toBe("primary=CLOSED");
    const page = (await search.json()) as { storage: string; items: { uuid: string }[] };
    expect(page.storage).toBe("archive");
    expect(page.items.map((v) => v.uuid)).toEqual([before.uuid]);
    expect((await fetch(`${running.url}/vcons/${before.uuid}`, { method: "DELETE" })).status).toBe(503);
    expect(await archive.get(before.uuid)).toEqual(before);

    const health = await fetch(`${running.url}/health`);
    expect(health.status).toBe(503);
    const report = (await health.json()) as {
      status: string;
      storages: { name: string; ok: boolean; code?: string; role: string }[];
    };
    expect(report.status).toBe("degraded");
    expect(report.storages.map(({ name, ok, code, role }) => ({ name, ok, code, role }))).toEqual([
      { name: "primary", ok: false, code: "CLOSED", role: "primary" },
      { name: "archive", ok: true, code: undefined, role: "replica" },
    ]);
  });
});

describe("search, health and the OpenAPI description", () => {
  let running: RunningServer | undefined;
  afterEach(async () => running?.close());

  it("pages through search results with the cursor and applies every filter", async () => {
    running = await startServer({ storages: { primary: { adapter: "memory" } } });
    const batch = Array.from({ length: 5 }, () => makeVcon({ subject: "Paged search" }));
    expect((await postJson(`${running.url}/vcons`, batch)).status).toBe(201);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ subject: "PAGED", limit: "2", ...(cursor ? { cursor } : {}) });
      const page = (await (await fetch(`${running.url}/vcons?${query}`)).json()) as {
        items: { uuid: string }[];
        nextCursor: string | null;
      };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((v) => v.uuid));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(batch.map((v) => v.uuid));

    const third = batch[2]!;
    const tel = (third.parties as { tel?: string }[])[0]!.tel!;
    const filters = new URLSearchParams({
      tel,
      mailto: "BOB@example.com",
      name: "alice",
      since: third.created_at as string,
      until: batch[3]!.created_at as string,
    });
    const page = (await (await fetch(`${running.url}/vcons?${filters}`)).json()) as {
      items: { uuid: string }[];
    };
    expect(page.items.map((v) => v.uuid)).toEqual([third.uuid]);
  });

  it("reports every storage healthy", async () => {
    running = await startServer({
      storages: { primary: { adapter: "memory" }, archive: { adapter: "memory" } },
    });
    const response = await fetch(`${running.url}/health`);
    expect(response.status).toBe(200);
    const report = (await response.json()) as {
      status: string;
      storages: { name: string; adapter: string; ok: boolean }[];
    };
    expect(report.status).toBe("ok");
    expect(report.storages.map(({ name, adapter, ok }) => ({ name, adapter, ok }))).toEqual([
      { name: "primary", adapter: "memory", ok: true },
      { name: "archive", adapter: "memory", ok: true },
    ]);
  });

  it("publishes an OpenAPI 3 description of every route", async () => {
    running = await startServer({ storages: { primary: { adapter: "memory" } } });
    const response = await fetch(`${running.url}/openapi.json`);
    expect(response.status).toBe(200);
    const spec = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(spec.openapi).toBe("3.1.0");
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(["/health", "/vcons", "/vcons/{uuid}"]));
    expect(Object.keys(spec.paths["/vcons"]!).sort()).toEqual(["get", "post"]);
    expect(Object.keys(spec.paths["/vcons/{uuid}"]!).sort()).toEqual(["delete", "get", "put"]);
  });
});
