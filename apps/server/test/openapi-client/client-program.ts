/**
 * A client written against the types openapi-typescript generates from /openapi.json (`./generated.ts`,
 * written by the test). `tsc --noEmit` checks it against those types; the test then runs it against
 * the service. It calls every operation and returns their operationIds.
 */
import type { components, operations } from "./generated.js";

type Schemas = components["schemas"];
type JsonOf<R> = R extends { content: { "application/json": infer B } } ? B : never;
type Responses<O extends keyof operations> = operations[O]["responses"];
type Answer<O extends keyof operations, S extends keyof Responses<O>> = JsonOf<Responses<O>[S]>;
type Query<O extends keyof operations> = NonNullable<operations[O]["parameters"]["query"]>;
type RequestBody<O extends keyof operations> = operations[O] extends {
  requestBody: { content: { "application/json": infer B } };
}
  ? B
  : never;

export interface ClientOptions {
  baseUrl: string;
  apiKey: string;
}

export async function callEveryOperation({ baseUrl, apiKey }: ClientOptions): Promise<string[]> {
  const called: string[] = [];
  const request = async (operation: keyof operations, method: string, path: string, body?: unknown) => {
    called.push(operation);
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body ? { "content-type": "application/json" } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (!response.headers.get("x-request-id")) throw new Error(`${operation}: no x-request-id`);
    return { status: response.status, json: response.status === 204 ? null : await response.json() };
  };
  const expectStatus = (operation: string, actual: number, expected: number) => {
    if (actual !== expected) throw new Error(`${operation} answered ${actual}, expected ${expected}`);
  };
  const search = (query: Query<"searchVcons">) => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      for (const one of [value].flat()) params.append(name, String(one));
    }
    return `/vcons?${params}`;
  };

  const uuid = "0194c3a2-7b1e-8f3d-9a2c-000000000001";
  const party: Schemas["Party"] = { tel: "+15550001111", name: "Typed Client" };
  const vcon: Schemas["UnsignedVcon"] = {
    uuid,
    vcon: "0.0.2",
    created_at: "2026-02-01T10:00:00Z",
    subject: "typed client refund question",
    parties: [party],
    attachments: [{ purpose: "tags", encoding: "json", body: ["topic:refund"] }],
  };
  const saveBody: RequestBody<"saveVcons"> = [vcon];

  const saved = await request("saveVcons", "POST", "/vcons", saveBody);
  expectStatus("saveVcons", saved.status, 201);
  const batch = saved.json as Answer<"saveVcons", 201>;
  if (!("uuids" in batch) || batch.uuids[0] !== uuid) throw new Error("saveVcons: wrong uuids");

  const read = await request("getVcon", "GET", `/vcons/${uuid}`);
  expectStatus("getVcon", read.status, 200);
  const document = read.json as Answer<"getVcon", 200>;
  if (!("uuid" in document) || document.uuid !== uuid) throw new Error("getVcon: wrong document");

  const put: RequestBody<"putVcon"> = { ...vcon, subject: "typed client refund answered" };
  const replaced = await request("putVcon", "PUT", `/vcons/${uuid}`, put);
  expectStatus("putVcon", replaced.status, 200);
  if ((replaced.json as Answer<"putVcon", 200>).uuid !== uuid) throw new Error("putVcon: wrong uuid");

  const found = await request(
    "searchVcons",
    "GET",
    search({ text: "refund answered", tag: ["topic:refund"] }),
  );
  expectStatus("searchVcons", found.status, 200);
  const page = found.json as Answer<"searchVcons", 200>;
  if (!("items" in page) || page.items.length !== 1) throw new Error("searchVcons: expected one match");

  const bad = await request("searchVcons", "GET", search({ since: "not a date" }));
  expectStatus("searchVcons", bad.status, 400);
  const error = bad.json as Answer<"searchVcons", 400>;
  if (error.error.code !== "VALIDATION") throw new Error("searchVcons: expected VALIDATION");

  const conserverUuid = "0194c3a2-7b1e-8f3d-9a2c-000000000002";
  const created = await request("conserverCreateVcon", "POST", "/vcon", {
    ...vcon,
    uuid: conserverUuid,
  } satisfies RequestBody<"conserverCreateVcon">);
  expectStatus("conserverCreateVcon", created.status, 201);
  const listed = await request("conserverListVconUuids", "GET", "/vcon?page=1&size=10");
  const uuids: Answer<"conserverListVconUuids", 200> = listed.json;
  if (!uuids.includes(conserverUuid)) throw new Error("conserverListVconUuids: missing uuid");
  const one = await request("conserverGetVcon", "GET", `/vcon/${conserverUuid}`);
  expectStatus("conserverGetVcon", one.status, 200);
  const matches = await request("conserverSearchVconUuids", "GET", "/vcons/search?tel=%2B15550001111");
  const matched: Answer<"conserverSearchVconUuids", 200> = matches.json;
  if (matched.length !== 2) throw new Error("conserverSearchVconUuids: expected both");
  const removed = await request("conserverDeleteVcon", "DELETE", `/vcon/${conserverUuid}`);
  expectStatus("conserverDeleteVcon", removed.status, 204);

  const deleted = await request("deleteVcon", "DELETE", `/vcons/${uuid}`);
  expectStatus("deleteVcon", deleted.status, 200);
  if (!(deleted.json as Answer<"deleteVcon", 200>).deleted) throw new Error("deleteVcon: not deleted");
  const gone = await request("getVcon", "GET", `/vcons/${uuid}`);
  expectStatus("getVcon", gone.status, 404);
  if ((gone.json as Answer<"getVcon", 404>).error.code !== "NOT_FOUND") throw new Error("getVcon: 404 code");

  const health = await request("getHealth", "GET", "/health");
  expectStatus("getHealth", health.status, 200);
  if ((health.json as Answer<"getHealth", 200>).status !== "ok") throw new Error("getHealth: not ok");
  const live = await request("getLiveness", "GET", "/livez");
  expectStatus("getLiveness", live.status, 200);
  const ready = await request("getReadiness", "GET", "/readyz");
  if ((ready.json as Answer<"getReadiness", 200>).status !== "ok") throw new Error("getReadiness: not ok");
  return [...new Set(called)];
}
