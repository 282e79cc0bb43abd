import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppConfigInput } from "../src/index.js";
import { buildServer, type VconServer } from "../src/index.js";
import { makeVcon } from "./helpers.js";
import { captureLogs, type LogCapture } from "./log-capture.js";

/** How a suite gets its primary storage: PGlite in a folder, or a database on the PostgreSQL server. */
export interface SafeServiceBackend {
  storages(): Promise<AppConfigInput["storages"]>;
  dispose?(): Promise<void>;
}

export const FULL_KEY = "full-access-key-7f3a9c2e41b8";
export const READ_KEY = "read-only-key-0d5e8b7c6a91";
export const WRITE_KEY = "write-only-key-93c1e7a4f2d6";
export const BODY_LIMIT = 64 * 1024;

interface ErrorBody {
  error: { code: string; message: string; issues?: { path: string; message: string }[] };
}

/**
 * The service as it is exposed: keys with scopes, request ids, redacted logs, metrics, probes,
 * 413/415 and the draft validator, over real HTTP against a real PostgreSQL (one service per file).
 */
export function describeSafeService(label: string, backend: SafeServiceBackend): void {
  describe(`the exposed service on ${label}`, { timeout: 180_000 }, () => {
    let server: VconServer;
    let url: string;
    let logs: LogCapture;

    beforeAll(async () => {
      logs = captureLogs();
      server = await buildServer(
        {
          server: {
            port: 0,
            logLevel: "debug",
            bodyLimit: BODY_LIMIT,
            validation: "draft",
            auth: {
              keys: [
                { name: "admin", key: FULL_KEY },
                { name: "reader", key: READ_KEY, scopes: ["read"] },
                { name: "ingest", key: WRITE_KEY, scopes: ["write"] },
              ],
            },
          },
          storages: await backend.storages(),
        },
        { logStream: logs.stream },
      );
      url = await server.listen();
    });
    afterAll(async () => {
      await server?.close();
      await backend.dispose?.();
    });

    const call = (path: string, key: string | null, init: RequestInit = {}) =>
      fetch(`${url}${path}`, {
        ...init,
        headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...init.headers },
      });
    const post = (body: unknown, key: string | null = FULL_KEY, headers: Record<string, string> = {}) =>
      call("/vcons", key, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });

    it("answers 401 with WWW-Authenticate for a missing or wrong key, in the error envelope", async () => {
      const missing = await call("/vcons?limit=1", null);
      expect(missing.status).toBe(401);
      expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="vcon-server"');
      expect(((await missing.json()) as ErrorBody).error.code).toBe("UNAUTHORIZED");

      const wrong = await call("/vcons?limit=1", "not-the-key-at-all-000000");
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get("www-authenticate")).toBe('Bearer realm="vcon-server", error="invalid_token"');
      const body = (await wrong.json()) as ErrorBody;
      expect(body.error).toEqual({ code: "UNAUTHORIZED", message: "The API key is not valid" });

      // A key one character off, and a prefix of a real key, are just as wrong.
      expect((await call("/vcons?limit=1", `${FULL_KEY.slice(0, -1)}X`)).status).toBe(401);
      expect((await call("/vcons?limit=1", FULL_KEY.slice(0, 10))).status).toBe(401);
      // Unknown paths say nothing about the routes; the OpenAPI document is public.
      expect((await call("/no/such/route", null)).status).toBe(401);
      expect((await call("/openapi.json", null)).status).toBe(200);
      // Rejected before the body is read: nothing written.
      const vcon = makeVcon();
      expect((await post(vcon, null)).status).toBe(401);
      expect((await call(`/vcons/${vcon.uuid}`, FULL_KEY)).status).toBe(404);
    });

    it("accepts the key as Bearer, x-api-key and vcon-server's x-conserver-api-token", async () => {
      const vcon = makeVcon();
      expect((await post(vcon)).status).toBe(201);
      const headerSets: Record<string, string>[] = [
        { authorization: `Bearer ${READ_KEY}` },
        { authorization: `bearer ${READ_KEY}` },
        { "x-api-key": READ_KEY },
        { "x-conserver-api-token": READ_KEY },
      ];
      for (const headers of headerSets) {
        const response = await fetch(`${url}/vcons/${vcon.uuid}`, { headers });
        expect(response.status, JSON.stringify(Object.keys(headers))).toBe(200);
      }
    });

    it("answers 403 naming the missing scope; each scope allows only its operations", async () => {
      const vcon = makeVcon();
      expect((await post(vcon, WRITE_KEY)).status).toBe(201);
      const readByWriter = await call(`/vcons/${vcon.uuid}`, WRITE_KEY);
      expect(readByWriter.status).toBe(403);
      expect(((await readByWriter.json()) as ErrorBody).error).toEqual({
        code: "FORBIDDEN",
        message: 'The API key "ingest" lacks the read scope (it has: write)',
      });
      expect((await post(makeVcon(), READ_KEY)).status).toBe(403);
      const deleteByReader = await call(`/vcons/${vcon.uuid}`, READ_KEY, { method: "DELETE" });
      expect(deleteByReader.status).toBe(403);
      expect(((await deleteByReader.json()) as ErrorBody).error.message).toContain("delete scope");
      expect((await call(`/vcons/${vcon.uuid}`, READ_KEY)).status).toBe(200);
      expect((await call(`/vcons/${vcon.uuid}`, FULL_KEY, { method: "DELETE" })).status).toBe(200);
    });

    it("serves /livez to anyone, and /readyz with per-storage detail only for a valid key", async () => {
      const live = await call("/livez", null);
      expect(live.status).toBe(200);
      expect(await live.json()).toEqual({ status: "ok" });

      const anonymous = await call("/readyz", null);
      expect(anonymous.status).toBe(200);
      expect(await anonymous.json()).toEqual({ status: "ok" });
      const wrongKey = await call("/readyz", "not-the-key-at-all-000000");
      expect(await wrongKey.json()).toEqual({ status: "ok" });

      const detailed = await call("/readyz", READ_KEY);
      expect(await detailed.json()).toMatchObject({
        status: "ok",
        storages: [{ name: "primary", adapter: "postgres", ok: true }],
      });
      // /health keeps its shape and is protected like the API.
      expect((await call("/health", null)).status).toBe(401);
      expect(await (await call("/health", READ_KEY)).json()).toMatchObject({ status: "ok" });
    });

    it("echoes a safe x-request-id, or generates one", async () => {
      const given = await call("/livez", null, { headers: { "x-request-id": "trace-abc.123" } });
      expect(given.headers.get("x-request-id")).toBe("trace-abc.123");
      const generated = await call("/livez", null);
      expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
      // Not safe to log (spaces, newlines, too long): replaced.
      const unsafe = await call("/livez", null, { headers: { "x-request-id": "a b\tc" } });
      expect(unsafe.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
      const long = await call("/livez", null, { headers: { "x-request-id": "x".repeat(200) } });
      expect(long.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    });

    it("carries the request id in every log line of the request, storage operations included", async () => {
      const vcon = makeVcon();
      const saved = await post(vcon, FULL_KEY, { "x-request-id": "save-req-0001" });
      expect(saved.status).toBe(201);
      const read = await call(`/vcons/${vcon.uuid}`, FULL_KEY, {
        headers: { "x-request-id": "get-req-0002" },
      });
      expect(read.status).toBe(200);

      const lines = logs.lines();
      const ofSave = lines.filter((l) => l.reqId === "save-req-0001");
      expect(ofSave.map((l) => l.msg)).toEqual(
        expect.arrayContaining(["vcon storage save", "request completed"]),
      );
      expect(ofSave.find((l) => l.msg === "vcon storage save")).toMatchObject({
        storage: "primary",
        uuid: vcon.uuid,
        ok: true,
      });
      expect(lines.filter((l) => l.reqId === "get-req-0002").map((l) => l.msg)).toEqual(
        expect.arrayContaining(["vcon storage get", "request completed"]),
      );
      // Every storage line logged for this uuid belongs to one of the two requests.
      const storageLines = lines.filter((l) => l.uuid === vcon.uuid);
      expect(storageLines.length).toBeGreaterThanOrEqual(2);
      for (const line of storageLines) expect(["save-req-0001", "get-req-0002"]).toContain(line.reqId);
    });

    it("logs method and route, never keys or searched values", async () => {
      const secretParty = { tel: "+15559871234", mailto: "carol.secret@example.org", name: "Carolyn Hidden" };
      const vcon = makeVcon({ subject: "Private matter", parties: [secretParty] });
      expect((await post(vcon)).status).toBe(201);
      const query = new URLSearchParams({
        tel: secretParty.tel,
        mailto: secretParty.mailto,
        name: "Carolyn",
        subject: "Private matter",
        limit: "5",
      });
      const found = await call(`/vcons?${query}`, READ_KEY, {
        headers: { "x-request-id": "search-req-0003" },
      });
      expect(found.status).toBe(200);
      expect(((await found.json()) as { items: { uuid: string }[] }).items.map((v) => v.uuid)).toEqual([
        vcon.uuid,
      ]);
      await call(`/vcons?${query}`, "a-wrong-key-with-personal-0000");
      await fetch(`${url}/vcons?${query}`, { headers: { "x-api-key": WRITE_KEY } });
      await fetch(`${url}/vcons?${query}`, { headers: { "x-conserver-api-token": FULL_KEY } });

      const access = logs.lines().find((l) => l.reqId === "search-req-0003" && l.msg === "request completed");
      expect(access).toMatchObject({ method: "GET", route: "/vcons", status: 200, key: "reader" });
      expect(access?.url).toBe(
        "/vcons?tel=[redacted]&mailto=[redacted]&name=[redacted]&subject=[redacted]&limit=5",
      );

      const everything = logs.text();
      for (const forbidden of [
        FULL_KEY,
        READ_KEY,
        WRITE_KEY,
        "a-wrong-key-with-personal-0000",
        secretParty.tel,
        encodeURIComponent(secretParty.tel),
        "5559871234",
        secretParty.mailto,
        encodeURIComponent(secretParty.mailto),
        "Carolyn",
        "Private matter",
        "Private+matter",
      ]) {
        expect(everything, `logged: ${forbidden}`).not.toContain(forbidden);
      }
    });

    it("answers 413 naming server.bodyLimit and 415 naming the accepted media types", async () => {
      const large = await post(makeVcon({ subject: "x".repeat(BODY_LIMIT) }));
      expect(large.status).toBe(413);
      const tooLarge = (await large.json()) as ErrorBody;
      expect(tooLarge.error.code).toBe("PAYLOAD_TOO_LARGE");
      expect(tooLarge.error.message).toBe(`The request body is over server.bodyLimit (${BODY_LIMIT} bytes)`);

      const text = await call("/vcons", FULL_KEY, {
        method: "POST",
        headers: { "content-type": "text/plain" },
        body: "hello",
      });
      expect(text.status).toBe(415);
      const unsupported = (await text.json()) as ErrorBody;
      expect(unsupported.error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
      expect(unsupported.error.message).toContain("application/json, application/vcon+json");
    });

    it("with validation: draft, stores legacy vCons with a warning count and refuses the draft's MUST violations", async () => {
      const legacy = makeVcon({
        vcon: "0.0.1",
        created_at: "2024-03-16T16:09:20.701906",
        dialog: [
          {
            type: "text",
            start: "2024-03-16T16:09:20Z",
            parties: [0, 1],
            mimetype: "text/plain",
            body: "hi",
            encoding: "none",
          },
        ],
        attachments: [{ type: "tags", body: ["topic:billing"], encoding: "json" }],
      });
      const saved = await post(legacy);
      expect(saved.status).toBe(201);
      // vcon, created_at without offset, mimetype, attachment type and its start/party/dialog.
      expect(Number(saved.headers.get("vcon-validation-warnings"))).toBe(7);

      const broken = makeVcon({ dialog: [{ type: "recording", start: "yesterday", parties: [5] }] });
      const refused = await post([makeVcon(), broken]);
      expect(refused.status).toBe(400);
      const body = (await refused.json()) as ErrorBody;
      expect(body.error.code).toBe("VALIDATION");
      expect(body.error.message).toContain("server.validation: draft");
      expect(body.error.issues?.map((i) => i.path)).toEqual([
        "$[1].dialog[0].start",
        "$[1].dialog[0].parties[0]",
      ]);
      expect((await call(`/vcons/${broken.uuid}`, FULL_KEY)).status).toBe(404);
    });

    it("publishes Prometheus metrics, protected like the API", async () => {
      expect((await call("/metrics", null)).status).toBe(401);
      const response = await call("/metrics", READ_KEY);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain("text/plain");
      const text = await response.text();
      expect(text).toMatch(/vcon_http_requests_total\{route="\/vcons",method="POST",status="201"\} [1-9]/);
      expect(text).toMatch(/vcon_http_requests_total\{route="\/vcons",method="GET",status="401"\} [1-9]/);
      expect(text).toMatch(
        /vcon_http_request_duration_seconds_bucket\{le="\+Inf",route="\/vcons\/:uuid",method="GET",status="200"\} [1-9]/,
      );
      expect(text).toMatch(
        /vcon_storage_operations_total\{storage="primary",operation="save",outcome="ok"\} [1-9]/,
      );
      expect(text).toMatch(
        /vcon_storage_operations_total\{storage="primary",operation="search",outcome="ok"\} [1-9]/,
      );
      expect(text).toMatch(
        /vcon_storage_operation_duration_seconds_count\{storage="primary",operation="get",outcome="ok"\} [1-9]/,
      );
      // Unknown paths share one label instead of one series each.
      await call("/no/such/route-1", READ_KEY);
      await call("/no/such/route-2", READ_KEY);
      const after = await (await call("/metrics", READ_KEY)).text();
      expect(after).toMatch(/route="\(unmatched\)",method="GET",status="404"\} 2/);
      expect(after).not.toContain("route-1");
    });
  });
}
