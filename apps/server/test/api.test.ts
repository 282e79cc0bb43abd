import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeVcon, postJson, type RunningServer, startServer } from "./helpers.js";

describe("HTTP API on a memory storage", () => {
  let running: RunningServer;

  beforeAll(async () => {
    running = await startServer({ storages: { primary: { adapter: "memory" } } });
  });
  afterAll(async () => running.close());

  it("saves, reads, searches and deletes one vCon", async () => {
    const vcon = makeVcon({ subject: "Roundtrip check" });
    const saved = await postJson(`${running.url}/vcons`, vcon);
    expect(saved.status).toBe(201);
    expect(await saved.json()).toEqual({
      uuid: vcon.uuid,
      storages: [{ storage: "primary", ok: true, saved: 1 }],
    });

    const read = await fetch(`${running.url}/vcons/${vcon.uuid.toUpperCase()}`);
    expect(read.status).toBe(200);
    expect(read.headers.get("vcon-storage")).toBe("primary");
    expect(await read.json()).toEqual(vcon);

    const found = await fetch(`${running.url}/vcons?subject=roundtrip`);
    expect(found.status).toBe(200);
    const page = (await found.json()) as {
      items: { uuid: string }[];
      nextCursor: string | null;
      storage: string;
    };
    expect(page.items.map((v) => v.uuid)).toEqual([vcon.uuid]);
    expect(page.nextCursor).toBeNull();
    expect(page.storage).toBe("primary");

    const deleted = await fetch(`${running.url}/vcons/${vcon.uuid}`, { method: "DELETE" });
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toEqual({
      uuid: vcon.uuid,
      deleted: true,
      storages: [{ storage: "primary", ok: true, deleted: true }],
    });
    expect((await fetch(`${running.url}/vcons/${vcon.uuid}`)).status).toBe(404);
    expect((await fetch(`${running.url}/vcons/${vcon.uuid}`, { method: "DELETE" })).status).toBe(404);
  });

  it("stores signed (JWS) and encrypted (JWE) vCons under the uuid their form carries", async () => {
    const uuid = "0194c3a2-0000-8000-8000-00000000abcd";
    const payload = Buffer.from(JSON.stringify({ uuid, subject: "signed" })).toString("base64url");
    const signed = { payload, signatures: [{ header: { uuid, alg: "RS256" }, signature: "c2ln" }] };
    const encryptedUuid = "0194c3a2-0000-8000-8000-00000000abce";
    const encrypted = {
      unprotected: { uuid: encryptedUuid, enc: "A256GCM" },
      iv: "aXY",
      ciphertext: "Y2lw",
      tag: "dGFn",
    };
    const saved = await postJson(`${running.url}/vcons`, [signed, encrypted]);
    expect(saved.status).toBe(201);
    expect(((await saved.json()) as { uuids: string[] }).uuids).toEqual([uuid, encryptedUuid]);
    expect(await (await fetch(`${running.url}/vcons/${uuid}`)).json()).toEqual(signed);
    expect(await (await fetch(`${running.url}/vcons/${encryptedUuid}`)).json()).toEqual(encrypted);
  });
});
