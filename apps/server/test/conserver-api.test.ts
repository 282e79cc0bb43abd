import { randomBytes, randomUUID } from "node:crypto";
import { createTestDatabase, type TestDatabase } from "@vcon/test-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "./helpers.js";

/** conserver clients send their token in this header (vcon-server's CONSERVER_HEADER_NAME). */
const TOKEN = "conserver-test-token-0123456789abcdef";
const headers = { "x-conserver-api-token": TOKEN };

let sequence = 0;

/**
 * A vCon shaped like the ones vcon-server's API tests post: every party and dialog member present,
 * many of them null, `subject: null`, `appended: null`, `created_at` without a time zone.
 */
function conserverShapedVcon(overrides: { parties?: Record<string, unknown>[]; createdAt?: string } = {}) {
  sequence++;
  const token = randomBytes(3).toString("hex");
  const parties = overrides.parties ?? [
    { tel: `+1555${token}0${sequence}`, name: `Agent ${token}`, mailto: `agent-${token}@example.com` },
    { tel: `+1555${token}1${sequence}`, name: `Customer ${token}`, mailto: `customer-${token}@example.com` },
  ];
  return {
    uuid: randomUUID(),
    vcon: "0.0.1",
    group: [],
    dialog: [
      {
        alg: "SHA-512",
        url: "https://recordings.example.com/1.wav",
        body: null,
        meta: { direction: "in", disposition: "ANSWERED" },
        type: "recording",
        start: "2031-03-04T05:06:07",
        parties: [0, 1],
        duration: 120,
        encoding: null,
        mimetype: "audio/x-wav",
        signature: "c2ln",
      },
    ],
    parties: parties.map((party, index) => ({
      meta: { role: index === 0 ? "agent" : "customer" },
      stir: null,
      jcard: null,
      gmlpos: null,
      timezone: null,
      validation: null,
      civicaddress: null,
      ...party,
    })),
    subject: null,
    analysis: [],
    appended: null,
    redacted: {},
    created_at:
      overrides.createdAt ?? new Date(Date.UTC(2031, 2, 4, 5, 6, sequence)).toISOString().slice(0, 19),
    attachments: [],
  };
}

describe("conserver (vcon-server) routes on the PostgreSQL server", () => {
  let database: TestDatabase;
  let running: RunningServer;
  let url: string;

  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, { ...init, headers: { ...headers, ...(init.headers as object) } });
  const postVcon = async (vcon: object) => {
    const response = await call("/vcon", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(vcon),
    });
    expect(response.status).toBe(201);
    return response;
  };

  beforeAll(async () => {
    database = await createTestDatabase("vcon_server_conserver");
    running = await startServer({
      server: { auth: { keys: [{ name: "conserver", key: TOKEN, scopes: ["read", "write", "delete"] }] } },
      storages: { primary: { adapter: "postgres", options: { url: database.url } } },
    });
    url = running.url;
  });
  afterAll(async () => {
    await running?.close();
    await database?.drop();
  });

  it("lifecycle: POST /vcon answers the vCon, GET reads it, DELETE answers 204, then GET is 404", async () => {
    const vcon = conserverShapedVcon();
    const created = await postVcon(vcon);
    expect(await created.json()).toEqual(vcon);
    const read = await call(`/vcon/${vcon.uuid}`);
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual(vcon);
    expect((await call(`/vcon/${vcon.uuid}`, { method: "DELETE" })).status).toBe(204);
    const gone = await call(`/vcon/${vcon.uuid}`);
    expect(gone.status).toBe(404);
    // Deleting what is not stored is 204 too, as in conserver.
    expect((await call(`/vcon/${vcon.uuid}`, { method: "DELETE" })).status).toBe(204);
  });

  it("keeps extra attributes (meta) as posted", async () => {
    const vcon = { ...conserverShapedVcon(), meta: { foo: "bar" } };
    await postVcon(vcon);
    expect(((await (await call(`/vcon/${vcon.uuid}`)).json()) as { meta: unknown }).meta).toEqual({
      foo: "bar",
    });
  });

  it("GET /vcon?since= lists the uuids posted, page by page, and each can be deleted", async () => {
    const from = "2041-01-01T00:00:00";
    const posted = Array.from({ length: 12 }, (_, i) =>
      conserverShapedVcon({ createdAt: `2041-01-01T00:00:${String(i + 10)}` }),
    );
    for (const vcon of posted) await postVcon(vcon);
    const uuids = posted.map((v) => v.uuid);

    const listed = (await (await call(`/vcon?since=${from}`)).json()) as string[];
    expect(listed).toEqual(uuids);
    expect(await (await call(`/vcon?since=${from}&page=2&size=5`)).json()).toEqual(uuids.slice(5, 10));
    expect(await (await call(`/vcon?since=${from}&page=3&size=5`)).json()).toEqual(uuids.slice(10));
    expect(await (await call(`/vcon?since=${from}&until=2041-01-01T00:00:12`)).json()).toEqual(
      uuids.slice(0, 2),
    );
    expect(await (await call(`/vcon?since=${from}&page=9&size=5`)).json()).toEqual([]);
    for (const uuid of listed) expect((await call(`/vcon/${uuid}`, { method: "DELETE" })).status).toBe(204);
    expect(await (await call(`/vcon?since=${from}`)).json()).toEqual([]);
    expect((await call("/vcon?page=0")).status).toBe(400);
  });

  it("GET /vcons?vcon_uuids= answers the vCons in order, null where none is stored", async () => {
    const [a, b] = [conserverShapedVcon(), conserverShapedVcon()];
    await postVcon(a);
    await postVcon(b);
    const missing = randomUUID();
    const response = await call(`/vcons?vcon_uuids=${b.uuid}&vcon_uuids=${missing}&vcon_uuids=${a.uuid}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([b, null, a]);
    expect((await call("/vcons?vcon_uuids=not-a-uuid")).status).toBe(400);
    expect((await call(`/vcons?vcon_uuids=${a.uuid}&tel=1`)).status).toBe(400);
  });

  it("GET /vcons/search ANDs tel, mailto and name (an empty term's set is not dropped), and nothing expires", async () => {
    const token = randomBytes(3).toString("hex");
    const shared = { tel: `+1444${token}00`, mailto: `shared-${token}@example.com` };
    const first = conserverShapedVcon({ parties: [{ ...shared, name: `Ann ${token}` }] });
    const second = conserverShapedVcon({ parties: [{ ...shared, name: `Bob ${token}` }] });
    await postVcon(first);
    await postVcon(second);
    const search = async (query: Record<string, string>) => {
      const response = await call(`/vcons/search?${new URLSearchParams(query)}`);
      expect(response.status).toBe(200);
      return ((await response.json()) as string[]).sort();
    };
    const both = [first.uuid, second.uuid].sort();
    expect(await search({ tel: shared.tel })).toEqual(both);
    expect(await search({ mailto: shared.mailto })).toEqual(both);
    expect(await search({ name: `Ann ${token}` })).toEqual([first.uuid]);
    expect(await search({ tel: shared.tel, name: `Bob ${token}` })).toEqual([second.uuid]);
    // conserver drops a term that matches nothing and answers the others' matches; here it is no match.
    expect(await search({ tel: shared.tel, name: "nobody at all" })).toEqual([]);
    expect(await search({ tel: shared.tel, mailto: shared.mailto, name: `Ann ${token}` })).toEqual([
      first.uuid,
    ]);

    const none = await call("/vcons/search");
    expect(none.status).toBe(400);
    expect(((await none.json()) as { error: { message: string } }).error.message).toMatch(
      /^At least one search parameter must be provided/,
    );
  });

  it("refuses requests without the token, and conserver's ingress lists with 501", async () => {
    expect((await fetch(`${url}/vcon`)).status).toBe(401);
    const queued = await call("/vcon?ingress_lists=transcribe", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(conserverShapedVcon()),
    });
    expect(queued.status).toBe(501);
    expect(((await queued.json()) as { error: { code: string } }).error.code).toBe("NOT_SUPPORTED");
  });
});
