import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeVcon, postJson, type RunningServer } from "./helpers.js";

/** How one suite gets its app: started once per test file (PGlite takes seconds to open). */
export interface ApiBackend {
  start(): Promise<RunningServer>;
  /** Makes the `primary` storage fail for good; resolves to the error code requests should report. */
  outage(running: RunningServer): Promise<string>;
  dispose?(): Promise<void>;
}

/** The suite's app refuses bodies over this many bytes (and batches over MAX_BATCH vCons). */
export const BODY_LIMIT = 64 * 1024;
export const MAX_BATCH = 20;

interface ErrorBody {
  error: {
    code: string;
    message: string;
    issues?: { path: string; message: string }[];
    storages?: { storage: string; ok: boolean; code?: string }[];
  };
}

interface Page {
  items: { uuid: string }[];
  nextCursor: string | null;
  storage: string;
}

/** Every endpoint and its error cases, over real HTTP, against the app on a real PostgreSQL. */
export function describeHttpApi(label: string, backend: ApiBackend): void {
  // Generous: every PGlite start compiles WASM, slow on a busy machine.
  describe(`HTTP API on ${label}`, { timeout: 180_000 }, () => {
    let running: RunningServer;
    let url: string;

    beforeAll(async () => {
      running = await backend.start();
      url = running.url;
    });
    afterAll(async () => {
      await running?.close();
      await backend.dispose?.();
    });

    const status = async (path: string, init?: RequestInit) => (await fetch(`${url}${path}`, init)).status;
    const search = async (query: Record<string, string>): Promise<Page> => {
      const response = await fetch(`${url}/vcons?${new URLSearchParams(query)}`);
      expect(response.status).toBe(200);
      return (await response.json()) as Page;
    };
    const uuidsOf = (page: Page) => page.items.map((v) => v.uuid);

    it("saves one vCon, reads it back under any spelling of its uuid, deletes it, then answers 404", async () => {
      const vcon = makeVcon();
      const saved = await postJson(`${url}/vcons`, vcon);
      expect(saved.status).toBe(201);
      expect(await saved.json()).toEqual({
        uuid: vcon.uuid,
        storages: [{ storage: "primary", ok: true, saved: 1 }],
      });

      const read = await fetch(`${url}/vcons/{${vcon.uuid.toUpperCase()}}`);
      expect(read.status).toBe(200);
      expect(read.headers.get("vcon-storage")).toBe("primary");
      expect(await read.json()).toEqual(vcon);

      const deleted = await fetch(`${url}/vcons/${vcon.uuid}`, { method: "DELETE" });
      expect(deleted.status).toBe(200);
      expect(await deleted.json()).toEqual({
        uuid: vcon.uuid,
        deleted: true,
        storages: [{ storage: "primary", ok: true, deleted: true }],
      });
      const missing = await fetch(`${url}/vcons/${vcon.uuid}`);
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as ErrorBody).error.code).toBe("NOT_FOUND");
      expect(await status(`/vcons/${vcon.uuid}`, { method: "DELETE" })).toBe(404);
    });

    it("saves many in one request, signed and encrypted forms included, and reads each back", async () => {
      const plain = [makeVcon(), makeVcon(), makeVcon()];
      const signedUuid = makeVcon().uuid;
      const payload = Buffer.from(JSON.stringify({ uuid: signedUuid, subject: "signed" })).toString(
        "base64url",
      );
      const signed = {
        payload,
        signatures: [{ header: { uuid: signedUuid, alg: "RS256" }, signature: "c2ln" }],
      };
      const encryptedUuid = makeVcon().uuid;
      const encrypted = {
        unprotected: { uuid: encryptedUuid, enc: "A256GCM" },
        iv: "aXY",
        ciphertext: "Y2lw",
        tag: "dGFn",
      };
      const response = await postJson(`${url}/vcons`, [...plain, signed, encrypted]);
      expect(response.status).toBe(201);
      const uuids = [...plain.map((v) => v.uuid), signedUuid, encryptedUuid];
      expect(await response.json()).toEqual({
        uuids,
        count: 5,
        storages: [{ storage: "primary", ok: true, saved: 5 }],
      });
      const documents = [...plain, signed, encrypted];
      for (const [index, uuid] of uuids.entries()) {
        expect(await (await fetch(`${url}/vcons/${uuid}`)).json()).toEqual(documents[index]);
      }
    });

    it("searches by tel, mailto, name, subject, since and until", async () => {
      const token = randomBytes(4).toString("hex");
      const digits = String(Number.parseInt(token, 16)).padStart(10, "0");
      const at = (day: number) => new Date(Date.UTC(2031, 0, day)).toISOString();
      const [a, b, c] = ["ann", "ben", "cat"].map((who, index) =>
        makeVcon({
          created_at: at(index + 1),
          subject: `${who} subject ${token}`,
          parties: [
            { tel: `+1${digits}${index}`, name: `${who} Person-${token}` },
            { mailto: `${who}-${token}@example.com` },
          ],
        }),
      ) as [ReturnType<typeof makeVcon>, ReturnType<typeof makeVcon>, ReturnType<typeof makeVcon>];
      expect((await postJson(`${url}/vcons`, [a, b, c])).status).toBe(201);
      const telOf = (v: typeof a) => (v.parties as { tel: string }[])[0]!.tel;

      expect(uuidsOf(await search({ tel: telOf(a) }))).toEqual([a.uuid]);
      expect(uuidsOf(await search({ mailto: `BEN-${token}@EXAMPLE.com` }))).toEqual([b.uuid]);
      expect(uuidsOf(await search({ name: `CAT PERSON-${token}` }))).toEqual([c.uuid]);
      expect(uuidsOf(await search({ subject: `Subject ${token.toUpperCase()}` }))).toEqual([
        a.uuid,
        b.uuid,
        c.uuid,
      ]);
      // since is inclusive, until exclusive.
      expect(uuidsOf(await search({ subject: token, since: at(2) }))).toEqual([b.uuid, c.uuid]);
      expect(uuidsOf(await search({ subject: token, until: at(2) }))).toEqual([a.uuid]);
      expect(uuidsOf(await search({ subject: token, since: at(2), until: at(3) }))).toEqual([b.uuid]);
      const page = await search({ tel: telOf(c), subject: token });
      expect(page).toMatchObject({ nextCursor: null, storage: "primary" });
      expect(uuidsOf(await search({ tel: telOf(c), subject: "no such subject" }))).toEqual([]);
    });

    it("pages through search results with the cursor, each vCon exactly once", async () => {
      const token = randomBytes(4).toString("hex");
      const batch = Array.from({ length: 5 }, () => makeVcon({ subject: `paged ${token}` }));
      expect((await postJson(`${url}/vcons`, batch)).status).toBe(201);
      const pages: string[][] = [];
      let cursor: string | null = null;
      do {
        const page = await search({ subject: token, limit: "2", ...(cursor ? { cursor } : {}) });
        pages.push(uuidsOf(page));
        cursor = page.nextCursor;
      } while (cursor && pages.length < 10);
      expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
      expect(pages.flat()).toEqual(batch.map((v) => v.uuid));
    });

    it("reports the storage healthy on /health", async () => {
      const response = await fetch(`${url}/health`);
      expect(response.status).toBe(200);
      const report = (await response.json()) as {
        status: string;
        storages: { name: string; adapter: string; ok: boolean; latencyMs: number }[];
      };
      expect(report.status).toBe("ok");
      expect(report.storages.map(({ name, adapter, ok }) => ({ name, adapter, ok }))).toEqual([
        { name: "primary", adapter: "postgres", ok: true },
      ]);
    });

    it("publishes the OpenAPI document of every route", async () => {
      const response = await fetch(`${url}/openapi.json`);
      expect(response.status).toBe(200);
      const spec = (await response.json()) as {
        openapi: string;
        paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      };
      expect(spec.openapi).toBe("3.1.0");
      expect(Object.keys(spec.paths)).toEqual(
        expect.arrayContaining(["/health", "/livez", "/readyz", "/vcons", "/vcons/{uuid}"]),
      );
      expect(Object.keys(spec.paths["/vcons"]!).sort()).toEqual(["get", "post"]);
      expect(Object.keys(spec.paths["/vcons/{uuid}"]!).sort()).toEqual(["delete", "get", "put"]);
      expect(Object.keys(spec.paths["/vcons"]!.post!.responses)).toEqual(
        expect.arrayContaining(["201", "400", "413", "503"]),
      );
    });

    it("answers 400 listing every problem, and writes nothing", async () => {
      const good = makeVcon();
      const batch = await postJson(`${url}/vcons`, [good, { subject: "no uuid" }, { uuid: "nope" }]);
      expect(batch.status).toBe(400);
      const body = (await batch.json()) as ErrorBody;
      expect(body.error.code).toBe("VALIDATION");
      expect(body.error.message).toMatch(/^Batch rejected, nothing was written/);
      expect(body.error.issues?.map((i) => i.path)).toEqual(["$[1].uuid", "$[2].uuid"]);
      expect(await status(`/vcons/${good.uuid}`)).toBe(404);

      const tooMany = Array.from({ length: MAX_BATCH + 1 }, () => makeVcon());
      expect((await postJson(`${url}/vcons`, tooMany)).status).toBe(400);
      expect(await status(`/vcons/${tooMany[0]!.uuid}`)).toBe(404);

      const badQuery = await fetch(`${url}/vcons?since=yesterday&phone=1`);
      expect(badQuery.status).toBe(400);
      expect(((await badQuery.json()) as ErrorBody).error.issues).toEqual([
        { path: "querystring.phone", message: "unknown parameter" },
      ]);
      const badDate = await fetch(`${url}/vcons?since=yesterday`);
      expect(((await badDate.json()) as ErrorBody).error.issues).toEqual([
        { path: "query.since", message: "expected a date-time" },
      ]);
      expect(await status("/vcons?cursor=not-a-cursor")).toBe(400);
      expect(await status("/vcons/not-a-uuid")).toBe(400);
      expect(await status("/vcons/not-a-uuid", { method: "DELETE" })).toBe(400);
    });

    it("answers 413 for a body over the limit, and writes nothing", async () => {
      const big = makeVcon({ subject: "x".repeat(BODY_LIMIT) });
      const response = await postJson(`${url}/vcons`, big);
      expect(response.status).toBe(413);
      const body = (await response.json()) as ErrorBody;
      expect(body.error.code).toBe("PAYLOAD_TOO_LARGE");
      expect(body.error.message).toContain(`server.bodyLimit (${BODY_LIMIT} bytes)`);
      expect(await status(`/vcons/${big.uuid}`)).toBe(404);
    });

    // Last: the storage stays down for the rest of the file.
    it("answers 503 with Retry-After and the storage's outcome while the storage is down", async () => {
      const kept = makeVcon();
      expect((await postJson(`${url}/vcons`, kept)).status).toBe(201);
      const code = await backend.outage(running);

      const write = await postJson(`${url}/vcons`, makeVcon());
      expect(write.status).toBe(503);
      expect(write.headers.get("retry-after")).toBe("5");
      const body = (await write.json()) as ErrorBody;
      expect(body.error.code).toBe("UNAVAILABLE");
      expect(body.error.storages?.map(({ storage, ok, code }) => ({ storage, ok, code }))).toEqual([
        { storage: "primary", ok: false, code },
      ]);
      // A document that exists cannot be read, and absence cannot be claimed: 503, never 404.
      expect(await status(`/vcons/${kept.uuid}`)).toBe(503);
      expect(await status(`/vcons/${makeVcon().uuid}`)).toBe(503);
      expect(await status(`/vcons?subject=x`)).toBe(503);
      expect(await status(`/vcons/${kept.uuid}`, { method: "DELETE" })).toBe(503);

      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(503);
      const report = (await health.json()) as { status: string; storages: { ok: boolean; code: string }[] };
      expect(report.status).toBe("down");
      expect(report.storages).toMatchObject([{ ok: false, code }]);
    });
  });
}
