import { rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { createTestDatabase, sqlRows, type TestDatabase } from "@vcon/test-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configDir, serve } from "./cli-helpers.js";
import { makeVcon } from "./helpers.js";
import { eventually } from "./replication-helpers.js";

const SHUTDOWN_TIMEOUT_MS = 3000;

/**
 * A POST whose body arrives in pieces: the headers and a first part now, the rest when the test says.
 * It asks for `100 Continue`, which Node sends as it hands the parsed request to the app: `ready`
 * resolves then, so the request is in flight on the server (no guessing how long that takes).
 */
function slowUpload(url: string, body: string) {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  let answer = "";
  socket.on("data", (chunk) => {
    answer += chunk.toString();
  });
  const closed = new Promise<string>((resolve) => socket.once("close", () => resolve(answer)));
  socket.on("error", () => {});
  const half = Math.floor(body.length / 2);
  const ready = new Promise<void>((resolve) => {
    socket.on("data", () => {
      if (answer.startsWith("HTTP/1.1 100 Continue\r\n\r\n")) resolve();
    });
    socket.once("connect", () => {
      socket.write(
        `POST /vcons HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nexpect: 100-continue\r\nconnection: close\r\n\r\n${body.slice(0, half)}`,
      );
    });
  });
  return { ready, finish: () => socket.write(body.slice(half)), closed };
}

function logLines(output: string): Record<string, unknown>[] {
  return output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("SIGTERM with uploads in flight", { timeout: 120_000 }, () => {
  let database: TestDatabase;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    database = await createTestDatabase("vcon_server_shutdown");
    ({ dir, file } = configDir(
      `server:\n  shutdownTimeoutMs: ${SHUTDOWN_TIMEOUT_MS}\nstorages:\n  primary:\n    adapter: postgres\n    options:\n      url: ${database.url}\n`,
    ));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  });

  it("stops accepting, lets a request finish within server.shutdownTimeoutMs, aborts the one that does not, and exits", async () => {
    const running = await serve(["--config", file]);
    const finishing = makeVcon({ subject: "finishes during shutdown" });
    const stalled = makeVcon({ subject: "never finishes" });
    const first = slowUpload(running.url, JSON.stringify(finishing));
    const second = slowUpload(running.url, JSON.stringify(stalled));
    // Both requests have reached the app (Node answered 100 Continue) before the signal.
    await Promise.all([first.ready, second.ready]);

    const signalled = performance.now();
    let stillRunning = true;
    const exited = running.stop().finally(() => {
      stillRunning = false;
    });
    await eventually(() => running.output().includes('"msg":"shutdown started"'), 30_000, "shutdown started");
    first.finish();
    // New connections are refused once the shutdown started, while the process still serves the
    // requests in flight (the stalled one keeps it up until server.shutdownTimeoutMs).
    let refused: string | undefined;
    await eventually(
      async () => {
        refused = await fetch(`${running.url}/livez`).then(
          () => "answered",
          (error: Error & { cause?: { code?: string } }) => error.cause?.code,
        );
        return refused === "ECONNREFUSED" || !stillRunning;
      },
      30_000,
      "a refused connection",
    );
    expect(refused).toBe("ECONNREFUSED");
    expect(stillRunning, "refused while the process still ran").toBe(true);

    const firstAnswer = await first.closed;
    expect(firstAnswer).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 201 /);

    const secondAnswer = await second.closed;
    // Aborted: the socket was closed with no answer after the 100 Continue.
    expect(secondAnswer).toBe("HTTP/1.1 100 Continue\r\n\r\n");
    expect(await exited).toBe(0);
    const elapsed = performance.now() - signalled;
    expect(elapsed).toBeGreaterThanOrEqual(SHUTDOWN_TIMEOUT_MS - 100);
    expect(elapsed).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 8000);

    const lines = logLines(running.output());
    expect(lines.find((l) => l.msg === "shutdown started")).toMatchObject({
      reason: "SIGTERM",
      inFlight: 2,
      timeoutMs: SHUTDOWN_TIMEOUT_MS,
    });
    expect(lines.find((l) => l.msg === "shutdown finished")).toMatchObject({ aborted: 1 });

    // The acknowledged upload is stored; the aborted one is not.
    const rows = await sqlRows<{ uuid: string }>(database.url, "select uuid::text as uuid from vcons");
    expect(rows.map((r) => r.uuid)).toEqual([finishing.uuid]);
  });
});
