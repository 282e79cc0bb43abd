/**
 * The server goes away under load and comes back: every save that resolved is readable afterwards,
 * every save that rejected did so with UNAVAILABLE within the configured timeout, and the same
 * storage (same pool, same process) works again once the server is back.
 */
import { randomUUID } from "node:crypto";
import { isStorageError, type VconStorage } from "@vcon/storage-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signalCluster } from "../src/freeze.js";
import { type OwnedServer, startOwnedServer } from "../src/owned-server.js";
import { pollUntil, within } from "../src/poll.js";
import { openPostgres, serverOptions } from "../src/postgres.js";
import { smallVcon } from "../src/vcons.js";

const TIMEOUT_MS = 2_000;
/** Room for a timer firing late on two busy cores; far below what a hang would take. */
const SLACK_MS = 1_500;

interface Attempt {
  uuid: string;
  ok: boolean;
  code?: string;
  ms: number;
}

describe("server stop and start under load", () => {
  let owned: OwnedServer;
  let storage: VconStorage;

  beforeAll(async () => {
    owned = await startOwnedServer();
    await owned.createDatabase("vcons");
    storage = await openPostgres(
      serverOptions({ url: owned.url("vcons"), poolMax: 5, timeoutMs: TIMEOUT_MS }),
    );
    await storage.save(smallVcon()); // migrated and warm before the load starts
  });
  afterAll(async () => {
    await storage?.close();
    await owned?.dispose();
  });

  it("loses no resolved save, fails fast with UNAVAILABLE, and recovers by itself", async () => {
    const attempts: Attempt[] = [];
    let running = true;
    const save = async (): Promise<Attempt> => {
      const uuid = randomUUID();
      const started = performance.now();
      try {
        await storage.save(smallVcon(uuid, "under load"));
        return { uuid, ok: true, ms: performance.now() - started };
      } catch (error) {
        if (!isStorageError(error)) throw error;
        return { uuid, ok: false, code: error.code, ms: performance.now() - started };
      }
    };
    const worker = async () => {
      while (running) attempts.push(await save());
    };
    const workers = Array.from({ length: 16 }, worker);

    await pollUntil(
      async () => {
        if (attempts.filter((a) => a.ok).length < 100) throw new Error("load not going yet");
      },
      { timeoutMs: 20_000, intervalMs: 20 },
    );
    await owned.server.stop();
    // Saves keep being attempted against the dead server until a few have failed.
    await pollUntil(
      async () => {
        if (attempts.filter((a) => !a.ok).length < 20) throw new Error("not enough failures yet");
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    await owned.server.start();
    // The same storage recovers without being reopened: wait for saves to succeed again.
    const failuresAtRestart = attempts.length;
    await pollUntil(
      async () => {
        if (!attempts.slice(failuresAtRestart).some((a) => a.ok)) throw new Error("no save succeeded yet");
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    running = false;
    await within(Promise.all(workers), TIMEOUT_MS * 3, "the workers");

    const failed = attempts.filter((a) => !a.ok);
    const resolved = attempts.filter((a) => a.ok);
    expect(failed.length).toBeGreaterThan(0);
    expect(resolved.length).toBeGreaterThan(100);
    expect(new Set(failed.map((a) => a.code))).toEqual(new Set(["UNAVAILABLE"]));
    expect(Math.max(...failed.map((a) => a.ms))).toBeLessThan(TIMEOUT_MS + SLACK_MS);

    const missing: string[] = [];
    for (const attempt of resolved) if (!(await storage.exists(attempt.uuid))) missing.push(attempt.uuid);
    expect(missing).toEqual([]);
    const sample = resolved.at(-1)!;
    expect((await storage.get(sample.uuid))?.subject).toBe("under load");
  });

  it("a server that stops answering (paused, connections still accepted) fails calls within the timeout", async () => {
    const known = randomUUID();
    await storage.save(smallVcon(known));
    signalCluster(owned.server.dataDir, "SIGSTOP");
    let outcomes: Attempt[];
    try {
      // Pooled connections (queries in flight) and new ones (connect never answered) both wait.
      outcomes = await within(
        Promise.all(
          Array.from({ length: 12 }, async (_, i): Promise<Attempt> => {
            const uuid = randomUUID();
            const started = performance.now();
            try {
              if (i % 2 === 0) await storage.save(smallVcon(uuid, "frozen"));
              else await storage.get(known);
              return { uuid, ok: true, ms: performance.now() - started };
            } catch (error) {
              if (!isStorageError(error)) throw error;
              return { uuid, ok: false, code: error.code, ms: performance.now() - started };
            }
          }),
        ),
        (TIMEOUT_MS + SLACK_MS) * 3,
        "calls against a paused server",
      );
    } finally {
      signalCluster(owned.server.dataDir, "SIGCONT");
    }
    expect(outcomes.every((o) => !o.ok)).toBe(true);
    expect(new Set(outcomes.map((o) => o.code))).toEqual(new Set(["UNAVAILABLE"]));
    expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    // Resumed: the same storage serves again.
    const back = await pollUntil(() => storage.get(known), { timeoutMs: 30_000 });
    expect(back?.uuid).toBe(known);
  });

  it("rejects with UNAVAILABLE within the timeout while the server is down, reads included", async () => {
    const known = randomUUID();
    await storage.save(smallVcon(known));
    await owned.server.stop();
    try {
      for (const call of [
        () => storage.get(known),
        () => storage.save(smallVcon()),
        () => storage.search({}),
      ]) {
        const started = performance.now();
        const error = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isStorageError(error, "UNAVAILABLE"), String(error)).toBe(true);
        expect((error as { retryable: boolean }).retryable).toBe(true);
        expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + SLACK_MS);
      }
    } finally {
      await owned.server.start();
    }
    const back = await pollUntil(() => storage.get(known), { timeoutMs: 30_000 });
    expect(back?.uuid).toBe(known);
  });
});
