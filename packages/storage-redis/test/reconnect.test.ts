/**
 * A Redis that is down when the adapter first needs it, or goes away later, is picked up again by the
 * next call once it is back: the adapter never stays wedged. Runs its own redis-server on a port of its
 * own, so it can stop and start it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fromAdapter, isStorageError } from "@vcon/storage-core";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { RedisAdapter } from "../src/index.js";
import { clusterSkipReason } from "./cluster-env.js";

const PORT = 7311;
const URL = `redis://127.0.0.1:${PORT}`;
const UUID = "0190a3c4-0000-7000-8000-000000000001";
const skipReason = clusterSkipReason(process.env, ["redis-server"]);

let server: ChildProcess | null = null;

async function startServer(): Promise<void> {
  server = spawn(
    "redis-server",
    ["--port", String(PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    {
      stdio: "ignore",
    },
  );
  const deadline = Date.now() + 10_000;
  for (;;) {
    const probe = new Redis(PORT, "127.0.0.1", {
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    probe.on("error", () => {});
    try {
      await probe.connect();
      await probe.ping();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`redis-server on port ${PORT} did not start within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      probe.disconnect();
    }
  }
}

async function stopServer(): Promise<void> {
  const running = server;
  server = null;
  if (!running || running.exitCode !== null) return;
  const exited = new Promise((resolve) => running.once("exit", resolve));
  running.kill("SIGKILL");
  await exited;
}

afterAll(stopServer);

describe.skipIf(skipReason !== null)(`reconnecting${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  it("a server that was down at the first call, then started, serves the next call", async () => {
    const storage = fromAdapter(new RedisAdapter({ url: URL, connectTimeoutMs: 500 }));
    try {
      const first = await storage.get(UUID).catch((e: unknown) => e);
      expect(isStorageError(first, "UNAVAILABLE")).toBe(true);
      // Long enough for ioredis's own reconnect attempts to have been scheduled and dropped.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await startServer();
      await storage.save({ vcon: "0.3.0", uuid: UUID, subject: "after the outage" });
      expect((await storage.get(UUID))?.subject).toBe("after the outage");
    } finally {
      await storage.close();
      await stopServer();
    }
  });

  it("a server that went away and came back serves the next call after it returned", async () => {
    await startServer();
    const storage = fromAdapter(new RedisAdapter({ url: URL, connectTimeoutMs: 500 }));
    try {
      await storage.save({ vcon: "0.3.0", uuid: UUID, subject: "before" });
      await stopServer();
      const during = await storage.get(UUID).catch((e: unknown) => e);
      expect(isStorageError(during, "UNAVAILABLE")).toBe(true);
      await startServer();
      // The data went with the killed server (no persistence): a fresh server answers null.
      expect(await storage.get(UUID)).toBeNull();
      await storage.save({ vcon: "0.3.0", uuid: UUID, subject: "after" });
      expect((await storage.get(UUID))?.subject).toBe("after");
    } finally {
      await storage.close();
      await stopServer();
    }
  });
});

if (skipReason !== null) console.warn(`[storage-redis] reconnect tests: skipped, ${skipReason}`);
