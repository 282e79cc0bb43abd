import { connect } from "node:net";
import { createTestDatabase, sqlRows, type TestDatabase } from "@vcon/test-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer, type VconServer } from "../src/index.js";
import { makeVcon } from "./helpers.js";

const HEADERS_TIMEOUT_MS = 1000;
const REQUEST_TIMEOUT_MS = 2000;
const KEEP_ALIVE_TIMEOUT_MS = 1000;

/** Opens a raw connection, writes `text`, and resolves with what the server sent and when it closed. */
function rawExchange(url: string, text: string): Promise<{ answer: string; closedAfterMs: number }> {
  const { hostname, port } = new URL(url);
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => socket.write(text));
    let answer = "";
    socket.on("data", (chunk) => {
      answer += chunk.toString();
    });
    socket.on("error", () => {});
    socket.once("close", () => resolve({ answer, closedAfterMs: performance.now() - started }));
  });
}

describe("request, header and keep-alive timeouts", { timeout: 60_000 }, () => {
  let database: TestDatabase;
  let server: VconServer;
  let url: string;

  beforeAll(async () => {
    database = await createTestDatabase("vcon_server_timeouts");
    server = await buildServer({
      server: {
        port: 0,
        logLevel: "silent",
        headersTimeoutMs: HEADERS_TIMEOUT_MS,
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
        keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS,
      },
      storages: { primary: { adapter: "postgres", options: { url: database.url } } },
    });
    url = await server.listen();
  });
  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  it("answers 408 and closes a connection whose headers never finish, and one whose body never does", async () => {
    const [headers, body] = await Promise.all([
      rawExchange(url, "GET /livez HTTP/1.1\r\nhost: localhost\r\nx-slow: "),
      rawExchange(
        url,
        `POST /vcons HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 10000\r\n\r\n${JSON.stringify(makeVcon()).slice(0, 40)}`,
      ),
    ]);
    expect(headers.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(headers.closedAfterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
    expect(headers.closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + 5000);
    expect(body.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(body.closedAfterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
    expect(body.closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + 5000);
    expect(await sqlRows(database.url, "select uuid from vcons")).toEqual([]);
  });

  it("closes an idle kept-alive connection after server.keepAliveTimeoutMs", async () => {
    const idle = await rawExchange(url, "GET /livez HTTP/1.1\r\nhost: localhost\r\n\r\n");
    expect(idle.answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(idle.answer).toContain(`Keep-Alive: timeout=${KEEP_ALIVE_TIMEOUT_MS / 1000}`);
    expect(idle.closedAfterMs).toBeGreaterThanOrEqual(KEEP_ALIVE_TIMEOUT_MS - 50);
    expect(idle.closedAfterMs).toBeLessThan(KEEP_ALIVE_TIMEOUT_MS + 5000);
  });
});
