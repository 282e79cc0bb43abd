import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeVcon, postJson, type RunningServer, startServer } from "./helpers.js";
import { FAST_FAILURE, type ProxiedDatabase, proxiedDatabase } from "./postgres.js";
import { eventually } from "./replication-helpers.js";

describe("a replica that cannot be opened at start (PostgreSQL behind a stopped proxy)", () => {
  let db: ProxiedDatabase;
  let running: RunningServer;

  beforeAll(async () => {
    db = await proxiedDatabase("vcon_server_open_later");
    await db.proxy.stop();
    running = await startServer({
      storages: {
        primary: { adapter: "memory" },
        copy: { adapter: "postgres", options: { url: db.proxiedUrl, ...FAST_FAILURE } },
      },
      replication: { retryInitialMs: 50, retryMaxMs: 300 },
    });
  });
  afterAll(async () => {
    await running?.close();
    await db?.dispose();
  });

  it("does not stop the service; its entries wait, and arrive once it can be opened", async () => {
    const vcons = [makeVcon(), makeVcon(), makeVcon()];
    expect((await postJson(`${running.url}/vcons`, vcons)).status).toBe(201);
    await eventually(() => running.server.storages.replication()[0]?.lastError !== null);
    const [copy] = running.server.storages.replication();
    expect(copy).toMatchObject({ replica: "copy", pending: 3 });
    expect(copy!.lastError).toMatch(/copy could not be opened: UNAVAILABLE/);
    expect(running.server.storages.byName("copy")).toBeUndefined();

    await db.proxy.start();
    await eventually(() => running.server.storages.replication()[0]?.pending === 0);
    const opened = running.server.storages.byName("copy")!;
    for (const vcon of vcons) expect(await opened.get(vcon.uuid)).toEqual(vcon);
    expect(running.server.storages.replication()[0]!.lastError).toBeNull();
  });
});
