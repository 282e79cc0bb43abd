import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeVcon, type RunningServer, startServer } from "./helpers.js";

interface ErrorBody {
  error: { code: string; message: string; issues?: { path: string; message: string }[] };
}

/** The file adapter keeps each vCon's text in `<dir>/<2 hex>/<uuid>.json`: what was stored, byte for byte. */
const storedText = (directory: string, uuid: string) =>
  readFileSync(join(directory, uuid.slice(0, 2), `${uuid}.json`), "utf8");

const send = (url: string, method: string, body: string, type = "application/json") =>
  fetch(url, { method, headers: { "content-type": type }, body });

/** A raw request, so the answer's bytes are seen before any decompression. */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
    })
      .on("error", reject)
      .end();
  });
}

describe("HTTP details", () => {
  let running: RunningServer;
  let url: string;
  let directory: string;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), "vcon-http-details-"));
    running = await startServer({
      storages: { primary: { adapter: "file", options: { directory, fsync: false } } },
    });
    url = running.url;
  });
  afterAll(async () => {
    await running?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it("stores a single document's exact bytes: spacing, key order, escapes and number spellings kept", async () => {
    const uuid = makeVcon().uuid;
    const text = `{ "subject":"caf\\u00e9 \\/ r\u00e9sum\u00e9",\n  "uuid" : "${uuid.toUpperCase()}", "n": 1.0e2,\n "parties": [ ] }`;
    expect((await send(`${url}/vcons`, "POST", `\n${text}\n`)).status).toBe(201);
    expect(storedText(directory, uuid)).toBe(text);
  });

  it("stores each element of an array with its own bytes", async () => {
    const [a, b] = [makeVcon().uuid, makeVcon().uuid];
    const first = `{"uuid":"${a}",   "subject": "first\\n"}`;
    const second = `{\n\t"subject": "second [with] {brackets}, \\"quotes\\"",\n\t"uuid": "${b}"\n}`;
    const response = await send(`${url}/vcons`, "POST", `[ ${first} ,\n${second}]`);
    expect(response.status).toBe(201);
    expect(((await response.json()) as { uuids: string[] }).uuids).toEqual([a, b]);
    expect(storedText(directory, a)).toBe(first);
    expect(storedText(directory, b)).toBe(second);
  });

  it("keeps a signed vCon's bytes, so its signature still verifies over what is stored", async () => {
    const uuid = makeVcon().uuid;
    const payload = Buffer.from(JSON.stringify({ uuid, subject: "signed" })).toString("base64url");
    const text = `{"signatures":[{"header":{"uuid":"${uuid}","alg":"RS256"},"signature":"c2ln"}],  "payload":"${payload}"}`;
    expect((await send(`${url}/vcons`, "POST", text, "application/vcon+json")).status).toBe(201);
    expect(storedText(directory, uuid)).toBe(text);
  });

  it("PUT /vcons/{uuid} saves under the path's uuid, and refuses a body with another uuid", async () => {
    const vcon = makeVcon({ subject: "put first" });
    const created = await send(`${url}/vcons/${vcon.uuid}`, "PUT", JSON.stringify(vcon));
    expect(created.status).toBe(200);
    expect(await created.json()).toEqual({
      uuid: vcon.uuid,
      storages: [{ storage: "primary", ok: true, saved: 1 }],
    });
    const replaced = JSON.stringify({ ...vcon, subject: "put again" });
    expect((await send(`${url}/vcons/{${vcon.uuid.toUpperCase()}}`, "PUT", replaced)).status).toBe(200);
    expect(storedText(directory, vcon.uuid)).toBe(replaced);

    const other = makeVcon();
    const mismatch = await send(`${url}/vcons/${vcon.uuid}`, "PUT", JSON.stringify(other));
    expect(mismatch.status).toBe(400);
    expect(((await mismatch.json()) as ErrorBody).error.issues).toEqual([
      { path: "$.uuid", message: `the body is vCon ${other.uuid}; the path names ${vcon.uuid}` },
    ]);
    expect((await fetch(`${url}/vcons/${other.uuid}`)).status).toBe(404);
    const array = await send(`${url}/vcons/${vcon.uuid}`, "PUT", JSON.stringify([vcon]));
    expect(array.status).toBe(400);
    expect(storedText(directory, vcon.uuid)).toBe(replaced);
  });

  it("answers a wrong method with 405 and Allow, before reading the body", async () => {
    const uuid = makeVcon().uuid;
    const cases: [string, string, string][] = [
      ["PATCH", `/vcons/${uuid}`, "GET, PUT, DELETE, HEAD"],
      ["POST", `/vcons/${uuid}`, "GET, PUT, DELETE, HEAD"],
      ["DELETE", "/vcons", "GET, POST, HEAD"],
      ["PUT", "/vcon", "GET, POST, HEAD"],
      ["POST", "/vcons/search", "GET, HEAD"],
      ["PUT", `/vcon/${uuid}`, "GET, DELETE, HEAD"],
    ];
    for (const [method, path, allow] of cases) {
      const response = await send(`${url}${path}`, method, "not even json", "text/plain");
      expect([method, path, response.status]).toEqual([method, path, 405]);
      expect(response.headers.get("allow")).toBe(allow);
      expect(((await response.json()) as ErrorBody).error.code).toBe("METHOD_NOT_ALLOWED");
    }
    expect((await fetch(`${url}/no-such-route`, { method: "PATCH" })).status).toBe(404);
  });

  it("answers a JSON syntax error with its line, column and offset, never quoting the body", async () => {
    const body = '{\n  "uuid": "0194c3a2-7b1e-8f3d-9a2c-4e5f6a7b8c9d",\n  "subject": secret-subject\n}';
    const response = await send(`${url}/vcons`, "POST", body);
    expect(response.status).toBe(400);
    const error = ((await response.json()) as ErrorBody).error;
    expect(error.code).toBe("VALIDATION");
    expect(error.issues).toEqual([
      {
        path: "$",
        message:
          "line 3, column 14 (offset 65): expected a value (object, array, string, number, true, false or null)",
      },
    ]);
    expect(body.slice(65, 71)).toBe("secret");
    expect(JSON.stringify(error)).not.toContain("secret");

    const trailing = await send(`${url}/vcons`, "POST", '[{"uuid":"0194c3a2-7b1e-8f3d-9a2c-4e5f6a7b8c9d"},]');
    expect(((await trailing.json()) as ErrorBody).error.issues?.[0]?.message).toBe(
      "line 1, column 50 (offset 49): expected a value (object, array, string, number, true, false or null)",
    );
    const empty = await send(`${url}/vcons`, "POST", "");
    expect(((await empty.json()) as ErrorBody).error.message).toMatch(/^The request body is empty/);
    const poisoned = await send(
      `${url}/vcons`,
      "POST",
      '{"uuid":"0194c3a2-7b1e-8f3d-9a2c-4e5f6a7b8c9d","__proto__":{"x":1}}',
    );
    expect(poisoned.status).toBe(400);
    expect(((await poisoned.json()) as ErrorBody).error.issues?.[0]?.message).toMatch(/__proto__/);
  });

  it("compresses answers with br or gzip, as the client accepts", async () => {
    const big = makeVcon({ subject: "compressible ".repeat(400) });
    expect((await send(`${url}/vcons`, "POST", JSON.stringify(big))).status).toBe(201);
    const brotli = await rawGet(`${url}/vcons/${big.uuid}`, { "accept-encoding": "br" });
    expect(brotli.headers["content-encoding"]).toBe("br");
    expect(JSON.parse(brotliDecompressSync(brotli.body).toString())).toEqual(big);
    const gzip = await rawGet(`${url}/vcons/${big.uuid}`, { "accept-encoding": "gzip" });
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(JSON.parse(gunzipSync(gzip.body).toString())).toEqual(big);
    expect(gzip.body.length).toBeLessThan(JSON.stringify(big).length / 4);
    const plain = await rawGet(`${url}/vcons/${big.uuid}`, {});
    expect(plain.headers["content-encoding"]).toBeUndefined();

    // Request bodies may come gzip-encoded too; the stored text is the decompressed body.
    const zipped = makeVcon({ subject: "sent gzipped" });
    const text = JSON.stringify(zipped);
    const posted = await fetch(`${url}/vcons`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: gzipSync(text),
    });
    expect(posted.status).toBe(201);
    expect(storedText(directory, zipped.uuid)).toBe(text);
  });

  it("sends no CORS headers by default: other origins' browsers are refused", async () => {
    const preflight = await fetch(`${url}/vcons`, {
      method: "OPTIONS",
      headers: { origin: "https://app.example.com", "access-control-request-method": "POST" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    const read = await fetch(`${url}/vcons?limit=1`, { headers: { origin: "https://app.example.com" } });
    expect(read.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("CORS, when configured", () => {
  let running: RunningServer;

  beforeAll(async () => {
    running = await startServer({
      storages: { primary: { adapter: "memory" } },
      server: { cors: { origin: ["https://app.example.com"], credentials: true } },
    });
  });
  afterAll(async () => running?.close());

  it("answers preflights and reads for the configured origin only, exposing the API's headers", async () => {
    const preflight = await fetch(`${running.url}/vcons`, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type, authorization",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(preflight.headers.get("access-control-allow-credentials")).toBe("true");
    expect(preflight.headers.get("access-control-allow-headers")).toContain("authorization");

    const vcon = makeVcon();
    await fetch(`${running.url}/vcons`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(vcon),
    });
    const read = await fetch(`${running.url}/vcons/${vcon.uuid}`, {
      headers: { origin: "https://app.example.com" },
    });
    expect(read.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(read.headers.get("access-control-expose-headers")).toContain("vcon-storage");

    const other = await fetch(`${running.url}/vcons/${vcon.uuid}`, {
      headers: { origin: "https://evil.example" },
    });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("refuses a CORS setting that is not an origin", async () => {
    await expect(
      startServer({
        storages: { primary: { adapter: "memory" } },
        server: { cors: { origin: "app.example.com" } as never },
      }),
    ).rejects.toMatchObject({ code: "VALIDATION" });
  });
});
