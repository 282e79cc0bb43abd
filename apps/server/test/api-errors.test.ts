import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeVcon, postJson, type RunningServer, startServer } from "./helpers.js";

interface ErrorBody {
  error: {
    code: string;
    message: string;
    issues?: { path: string; message: string }[];
    storages?: unknown[];
  };
}

describe("HTTP API: bad input is refused with 400 and writes nothing", () => {
  let running: RunningServer;

  beforeAll(async () => {
    running = await startServer({
      storages: { primary: { adapter: "memory" } },
      server: { maxBatch: 3, bodyLimit: 64 * 1024 },
    });
  });
  afterAll(async () => running.close());

  const exists = async (uuid: string) => (await fetch(`${running.url}/vcons/${uuid}`)).status === 200;

  it("rejects a vCon without a uuid, listing the problem", async () => {
    const response = await postJson(`${running.url}/vcons`, { subject: "no uuid" });
    expect(response.status).toBe(400);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe("VALIDATION");
    expect(body.error.issues).toEqual([{ path: "$.uuid", message: "a uuid is required to store a vCon" }]);
  });

  it("rejects a whole batch when one document is bad, and stores none of it", async () => {
    const good = makeVcon();
    const response = await postJson(`${running.url}/vcons`, [good, { uuid: "not-a-uuid" }]);
    expect(response.status).toBe(400);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.issues?.map((i) => i.path)).toEqual(["$[1].uuid"]);
    expect(await exists(good.uuid)).toBe(false);
  });

  it("saves a batch in one request and reports each storage", async () => {
    const batch = [makeVcon(), makeVcon()];
    const response = await postJson(`${running.url}/vcons`, batch);
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({
      uuids: batch.map((v) => v.uuid),
      count: 2,
      storages: [{ storage: "primary", ok: true, saved: 2 }],
    });
    expect(await exists(batch[1]!.uuid)).toBe(true);
  });

  it("refuses empty batches and batches over the configured maximum", async () => {
    const empty = await postJson(`${running.url}/vcons`, []);
    expect(empty.status).toBe(400);
    const tooMany = [makeVcon(), makeVcon(), makeVcon(), makeVcon()];
    const response = await postJson(`${running.url}/vcons`, tooMany);
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error.issues?.[0]?.message).toMatch(
      /at most 3 per request/,
    );
    expect(await exists(tooMany[0]!.uuid)).toBe(false);
  });

  it("refuses malformed JSON, non-objects and other media types", async () => {
    const malformed = await fetch(`${running.url}/vcons`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"uuid": ',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as ErrorBody).error.code).toBe("VALIDATION");

    const scalar = await postJson(`${running.url}/vcons`, "just a string");
    expect(scalar.status).toBe(400);
    expect(((await scalar.json()) as ErrorBody).error.code).toBe("VALIDATION");

    const text = await fetch(`${running.url}/vcons`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "x",
    });
    expect(text.status).toBe(415);

    const vconType = await fetch(`${running.url}/vcons`, {
      method: "POST",
      headers: { "content-type": "application/vcon+json" },
      body: JSON.stringify(makeVcon()),
    });
    expect(vconType.status).toBe(201);
  });

  it("answers 413 for a body over the limit", async () => {
    const response = await postJson(`${running.url}/vcons`, makeVcon({ subject: "x".repeat(70 * 1024) }));
    expect(response.status).toBe(413);
    expect(((await response.json()) as ErrorBody).error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("refuses bad uuids, bad dates, bad cursors and unknown search parameters", async () => {
    const badUuid = await fetch(`${running.url}/vcons/xyz`);
    expect(badUuid.status).toBe(400);
    expect(((await badUuid.json()) as ErrorBody).error.issues?.[0]?.path).toBe("params.uuid");
    expect((await fetch(`${running.url}/vcons/xyz`, { method: "DELETE" })).status).toBe(400);

    const badDate = await fetch(`${running.url}/vcons?since=yesterday`);
    expect(badDate.status).toBe(400);
    expect(((await badDate.json()) as ErrorBody).error.issues).toEqual([
      { path: "query.since", message: "expected a date-time" },
    ]);

    const badCursor = await fetch(`${running.url}/vcons?cursor=abc`);
    expect(badCursor.status).toBe(400);

    const unknown = await fetch(`${running.url}/vcons?phone=123`);
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as ErrorBody).error.issues).toEqual([
      { path: "querystring.phone", message: "unknown parameter" },
    ]);

    const badLimit = await fetch(`${running.url}/vcons?limit=0`);
    expect(badLimit.status).toBe(400);
  });

  it("answers unknown routes with a 404 in the same error shape", async () => {
    const response = await fetch(`${running.url}/nope`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as ErrorBody).error.code).toBe("NOT_FOUND");
  });
});
