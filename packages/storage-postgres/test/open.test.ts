import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { AdapterRegistry, isStorageError } from "@vcon/storage-core";
import { afterAll, describe, expect, it } from "vitest";
import { adapter, PostgresAdapter, parsePostgresOptions } from "../src/index.js";
import { sampleVcon } from "./helpers.js";

const registry = new AdapterRegistry().register(adapter);
const rejectionOf = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail("expected a rejection"),
    (e: unknown) => e,
  );
const root = mkdtempSync(join(tmpdir(), "vcon-pg-open-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the registry's create returns at once; core's open() connects and migrates", () => {
  it("an unreachable server: create resolves, open() and the first call are UNAVAILABLE (retryable), each tried again", async () => {
    // Port 1 refuses at once: nothing listens there.
    const storage = await registry.create({
      adapter: "postgres",
      options: { url: "postgres://postgres@127.0.0.1:1/postgres", connectionTimeoutMs: 2_000 },
    });
    const atOpen = await rejectionOf(storage.open!());
    expect(atOpen).toMatchObject({ code: "UNAVAILABLE", retryable: true });
    expect(String(atOpen)).toContain("127.0.0.1:1/postgres");
    const atFirstCall = await rejectionOf(storage.get(sampleVcon().uuid));
    expect(atFirstCall).toMatchObject({ code: "UNAVAILABLE", retryable: true });
    await storage.close();
    expect(await rejectionOf(storage.open!())).toMatchObject({ code: "CLOSED" });
  });

  it("bad options are still VALIDATION at create, with nothing opened", async () => {
    const badTable = await rejectionOf(
      registry.create({ adapter: "postgres", options: { embedded: true, table: "no spaces" } }),
    );
    expect(isStorageError(badTable, "VALIDATION")).toBe(true);
    const badReplicas = await rejectionOf(
      registry.create({ adapter: "postgres", options: { embedded: true, replicas: ["postgres://r"] } }),
    );
    expect(isStorageError(badReplicas, "VALIDATION")).toBe(true);
  });

  it("a failed open (table missing, autoMigrate off) is tried again by the next call, which then works", async () => {
    const pglite = await PGlite.create({ extensions: { pg_trgm } });
    try {
      const storage = await registry.create({ adapter: "postgres", options: { pglite, autoMigrate: false } });
      const vcon = sampleVcon();
      const missing = await rejectionOf(storage.save(vcon));
      expect(missing).toMatchObject({ code: "UNAVAILABLE", retryable: false });
      expect(String(missing)).toContain("does not exist");
      // The table appears (another process migrates); the same storage opens on its next call.
      await (await PostgresAdapter.connect({ pglite })).close();
      await storage.save(vcon);
      expect(await storage.get(vcon.uuid)).toStrictEqual(vcon);
      await storage.close();
    } finally {
      await pglite.close();
    }
  });

  it("close() during open() waits for it, then releases everything (the data folder's lock too)", async () => {
    const dataDir = join(root, "closed-while-opening");
    const storage = await registry.create({ adapter: "postgres", options: { embedded: { dataDir } } });
    const lock = join(dataDir, "vcon-storage.lock");
    expect(existsSync(lock)).toBe(false); // create touched nothing
    const opening = storage.open!();
    await storage.close();
    await opening.catch(() => {});
    expect(existsSync(lock)).toBe(false);
    expect(await rejectionOf(storage.get(sampleVcon().uuid))).toMatchObject({ code: "CLOSED" });
    // The folder is free: a new storage opens it.
    const again = await registry.create({ adapter: "postgres", options: { embedded: { dataDir } } });
    await again.open!();
    expect(existsSync(lock)).toBe(true);
    await again.close();
  });

  it("PostgresAdapter.connect() still hands back an adapter that is open and migrated; unopened it is not", async () => {
    const connected = await PostgresAdapter.connect({ embedded: true });
    try {
      // The table's check runs on the raw adapter, with no core in front to open it first.
      await connected.checkTable();
    } finally {
      await connected.close();
    }
    const unopened = PostgresAdapter.unopened(parsePostgresOptions({ embedded: true }));
    expect(await rejectionOf(unopened.checkTable())).toMatchObject({ code: "INTERNAL" });
    await unopened.open();
    await unopened.checkTable();
    await unopened.close();
  });
});
