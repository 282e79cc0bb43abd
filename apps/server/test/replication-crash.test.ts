import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { VconStorage } from "@vcon/storage-core";
import { createTestDatabase, sqlRows, type TestDatabase } from "@vcon/test-postgres";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appRegistry } from "../src/index.js";
import { type ServeProcess, serve } from "./cli-helpers.js";
import { makeVcon } from "./helpers.js";
import { type OwnRedis, ownRedis, redisServerMissing } from "./redis-server.js";
import { archivedTexts, eventually } from "./replication-helpers.js";

/**
 * The replication promise under SIGKILL, with real processes and servers: the service (`vcon-server
 * serve`), PostgreSQL as the primary, a file archive and a Redis of the test's own as replicas.
 * Stored bytes are read behind the service's back (SQL, the files, Redis through its adapter).
 */

const missing = redisServerMissing();
if (missing) console.warn(`[example-server] replication crash tests: skipped, ${missing}`);
const describeWithRedisServer = missing ? describe.skip : describe;

interface Setup {
  db: TestDatabase;
  redis: OwnRedis;
  dir: string;
  archiveDir: string;
  config: string;
}

let setup: Setup;
const services: ServeProcess[] = [];

async function prepare(batchSize = 200, changeLog: "auto" | "off" = "auto"): Promise<Setup> {
  const db = await createTestDatabase("vcon_replication_crash");
  const redis = await ownRedis();
  const dir = mkdtempSync(join(tmpdir(), "vcon-replication-crash-"));
  const archiveDir = join(dir, "archive");
  const config = join(dir, "vcon-server.yaml");
  writeFileSync(
    config,
    [
      "server:",
      "  logLevel: info",
      "storages:",
      "  primary:",
      "    adapter: postgres",
      "    options:",
      `      url: ${db.url}`,
      "  archive:",
      "    adapter: file",
      "    options:",
      `      directory: ${archiveDir}`,
      "  cache:",
      "    adapter: redis",
      "    options:",
      `      url: ${redis.url}`,
      "      connectTimeoutMs: 500",
      "replication:",
      `  journal: ${join(dir, "journal.sqlite")}`,
      "  retryInitialMs: 50",
      "  retryMaxMs: 500",
      `  batchSize: ${batchSize}`,
      `  changeLog: ${changeLog}`,
      "",
    ].join("\n"),
  );
  return { db, redis, dir, archiveDir, config };
}

async function startService(): Promise<ServeProcess> {
  const service = await serve(["--config", setup.config], { cwd: setup.dir });
  services.push(service);
  return service;
}

afterEach(async () => {
  for (const service of services.splice(0)) {
    if (service.child.exitCode === null) service.child.kill("SIGKILL");
  }
  await setup?.redis.stop();
  await setup?.db.drop();
  if (setup) rmSync(setup.dir, { recursive: true, force: true });
});

interface Replication {
  pending: number;
  deadLetters: number;
  lastError: string | null;
}

async function replicationOf(url: string): Promise<Record<string, Replication>> {
  const response = await fetch(`${url}/health`);
  const body = (await response.json()) as { storages: { name: string; replication?: Replication }[] };
  return Object.fromEntries(body.storages.filter((s) => s.replication).map((s) => [s.name, s.replication!]));
}

/** Until every replica has nothing pending; returns the milliseconds it took. */
async function caughtUp(url: string, timeoutMs = 60_000): Promise<number> {
  const started = performance.now();
  await eventually(
    async () => Object.values(await replicationOf(url)).every((r) => r.pending === 0),
    timeoutMs,
    "replicas caught up",
  );
  return Math.round(performance.now() - started);
}

/** The exact stored text per uuid in each storage, read without the service. */
async function storedTexts(): Promise<Record<"primary" | "archive" | "cache", Map<string, string>>> {
  const primary = new Map(
    (
      await sqlRows<{ uuid: string; vcon: string }>(
        setup.db.url,
        "SELECT uuid::text AS uuid, vcon FROM vcons",
      )
    ).map((row) => [row.uuid, row.vcon] as const),
  );
  const archive = archivedTexts(setup.archiveDir);
  const redis: VconStorage = await appRegistry().create({
    adapter: "redis",
    options: { url: setup.redis.url },
  });
  const cache = new Map<string, string>();
  try {
    for await (const document of redis.export()) cache.set(String(document.uuid), JSON.stringify(document));
  } finally {
    await redis.close();
  }
  return { primary, archive, cache };
}

/** POSTs each body with `concurrency` clients; returns the acknowledged (201) ones. `after` runs after each answer. */
async function postAll(
  url: string,
  bodies: readonly { uuid: string; text: string }[],
  concurrency: number,
  after: (acknowledged: number) => void = () => {},
): Promise<Map<string, string>> {
  const acknowledged = new Map<string, string>();
  let next = 0;
  const client = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      try {
        const response = await fetch(`${url}/vcons`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: body.text,
        });
        if (response.status === 201) acknowledged.set(body.uuid, body.text);
        await response.arrayBuffer();
      } catch {
        // The service is gone: this one was never acknowledged.
      }
      after(acknowledged.size);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return acknowledged;
}

const bodiesOf = (count: number) =>
  Array.from({ length: count }, () => {
    const vcon = makeVcon();
    return { uuid: vcon.uuid, text: JSON.stringify(vcon) };
  });

/** Every storage holds exactly the primary's documents, byte for byte. */
function expectConverged(stored: Awaited<ReturnType<typeof storedTexts>>): void {
  const primaryUuids = [...stored.primary.keys()].sort();
  expect([...stored.archive.keys()].sort()).toEqual(primaryUuids);
  expect([...stored.cache.keys()].sort()).toEqual(primaryUuids);
  for (const [uuid, text] of stored.primary) {
    expect(stored.archive.get(uuid)).toBe(text);
    expect(stored.cache.get(uuid)).toBe(text);
  }
}

describeWithRedisServer("replication under SIGKILL (postgres primary, file and Redis replicas)", () => {
  beforeEach(async () => {
    setup = await prepare();
  });

  it.each([
    { path: "the primary's change log", changeLog: "auto" },
    { path: "the journal before the primary", changeLog: "off" },
  ] as const)(
    "SIGKILL during 5,000 concurrent POSTs ($path): after a restart every acknowledged vCon is in every storage",
    async ({ changeLog }) => {
      if (changeLog === "off") {
        await setup.db.drop();
        rmSync(setup.dir, { recursive: true, force: true });
        setup = await prepare(200, changeLog);
      }
      await setup.redis.start();
      let service = await startService();
      const bodies = bodiesOf(5000);
      let killedAt = -1;
      const acknowledged = await postAll(service.url, bodies, 32, (count) => {
        if (killedAt < 0 && count >= 2500) {
          killedAt = count;
          service.child.kill("SIGKILL");
        }
      });
      expect(killedAt).toBeGreaterThanOrEqual(2500);
      expect(acknowledged.size).toBeLessThan(bodies.length);

      service = await startService();
      const convergeMs = await caughtUp(service.url);
      const stored = await storedTexts();
      for (const [uuid, text] of acknowledged) expect(stored.primary.get(uuid)).toBe(text);
      // Nothing exists only in a replica, and every document of the primary reached every replica.
      expectConverged(stored);
      // The write path was the one asked for: the primary's change log recorded (and handed on) every
      // write, or was never turned on.
      const recorders = await sqlRows<{ n: number }>(
        setup.db.url,
        "SELECT count(*)::int AS n FROM pg_trigger WHERE tgrelid = 'public.vcons'::regclass AND tgfoid = 'public.vcons_record_changes'::regproc",
      );
      expect(recorders[0]!.n > 0).toBe(changeLog === "auto");
      const left = await sqlRows<{ n: number }>(setup.db.url, "SELECT count(*)::int AS n FROM vcons_changes");
      expect(left[0]!.n).toBe(0);
      console.log(
        `[replication] (${changeLog === "auto" ? "change log" : "journal first"}) SIGKILL after ${acknowledged.size} of 5000 acknowledged (32 clients); primary holds ${stored.primary.size}; replicas converged ${convergeMs} ms after restart`,
      );
    },
  );

  it("a replica down for the whole load converges once it is started, without restarting the service", async () => {
    const service = await startService();
    const bodies = bodiesOf(500);
    const acknowledged = await postAll(service.url, bodies, 16);
    // Intake does not depend on a replica: every write was acknowledged.
    expect(acknowledged.size).toBe(500);
    await eventually(async () => (await replicationOf(service.url)).archive?.pending === 0);
    const waiting = (await replicationOf(service.url)).cache!;
    expect(waiting.pending).toBe(500);
    expect(waiting.lastError).toMatch(/UNAVAILABLE/);
    // Still ready (the primary takes writes), but not healthy: a replica does not answer.
    const ready = await fetch(`${service.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { status: string }).status).toBe("degraded");
    expect((await fetch(`${service.url}/health`)).status).toBe(503);

    await setup.redis.start();
    const convergeMs = await caughtUp(service.url);
    const stored = await storedTexts();
    for (const [uuid, text] of acknowledged) expect(stored.cache.get(uuid)).toBe(text);
    expectConverged(stored);
    expect((await replicationOf(service.url)).cache!.lastError).toBeNull();
    console.log(`[replication] replica down for 500 writes: converged ${convergeMs} ms after it came back`);
  });

  it("SIGKILL during replay: nothing lost, nothing resurrected (a delete after a save stays deleted)", async () => {
    // Small delivery rounds, so the replay lasts long enough to be interrupted.
    await setup.db.drop();
    rmSync(setup.dir, { recursive: true, force: true });
    setup = await prepare(10);
    let service = await startService();
    const bodies = bodiesOf(1000);
    expect((await postAll(service.url, bodies, 16)).size).toBe(1000);
    const deleted = bodies.slice(0, 250);
    const savedAgain = bodies.slice(250, 300).map((b) => ({
      uuid: b.uuid,
      text: JSON.stringify({ ...(JSON.parse(b.text) as object), subject: "saved again after its delete" }),
    }));
    for (const body of [...deleted, ...savedAgain]) {
      const response = await fetch(`${service.url}/vcons/${body.uuid}`, { method: "DELETE" });
      expect(response.status).toBe(200);
    }
    expect((await postAll(service.url, savedAgain, 8)).size).toBe(50);
    await eventually(async () => (await replicationOf(service.url)).archive?.pending === 0);

    // The Redis replica comes up; the service is killed in the middle of replaying to it.
    const backlog = (await replicationOf(service.url)).cache!.pending;
    expect(backlog).toBeGreaterThan(1000);
    await setup.redis.start();
    let pendingAtKill = 0;
    await eventually(
      async () => {
        pendingAtKill = (await replicationOf(service.url)).cache!.pending;
        return pendingAtKill < backlog;
      },
      30_000,
      "replay started",
    );
    service.child.kill("SIGKILL");
    expect(pendingAtKill).toBeGreaterThan(0);

    service = await startService();
    const convergeMs = await caughtUp(service.url);
    const stored = await storedTexts();
    for (const { uuid } of deleted) {
      expect(stored.primary.has(uuid)).toBe(false);
      expect(stored.archive.has(uuid)).toBe(false);
      expect(stored.cache.has(uuid)).toBe(false);
    }
    for (const { uuid, text } of savedAgain) expect(stored.cache.get(uuid)).toBe(text);
    for (const { uuid, text } of bodies.slice(300)) expect(stored.cache.get(uuid)).toBe(text);
    expectConverged(stored);
    expect(stored.primary.size).toBe(750);
    console.log(
      `[replication] SIGKILL during replay with ${pendingAtKill} of ${backlog} entries left: converged ${convergeMs} ms after restart`,
    );
  });
});
