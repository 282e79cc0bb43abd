/**
 * SQLite under hostile input, concurrency inside one process (two storages on one file interleaving
 * writes, searches and exports) and damaged files. Crash safety (SIGKILL of a writer process) and
 * several writer processes are proven in packages/storage-sqlite/test/processes.test.ts.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromAdapter, type VconStorage } from "@vcon/storage-core";
import { SqliteAdapter } from "@vcon/storage-sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rejectsWith } from "../src/outcome.js";
import { smallVcon } from "../src/vcons.js";
import { sqlHostileInputTests } from "./sqlite-and-mysql-hostile.js";

const folder = mkdtempSync(join(tmpdir(), "vcon-reliability-sqlite-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("hostile input on SQLite", () => {
  let storage: VconStorage;
  beforeAll(() => {
    storage = fromAdapter(new SqliteAdapter({ path: join(folder, "hostile.sqlite") }));
  });
  afterAll(() => storage.close());
  sqlHostileInputTests(() => storage);

  it("a table name that is not a plain identifier is VALIDATION", async () => {
    await rejectsWith("VALIDATION", async () => new SqliteAdapter({ table: 'x"; DROP TABLE vcons; --' }));
  });
});

describe("concurrency on one SQLite file", () => {
  it("two storages interleaving 400 writes, deletes, searches and exports: every acknowledged write is there", async () => {
    const path = join(folder, "concurrent.sqlite");
    const [a, b] = [0, 1].map(() => fromAdapter(new SqliteAdapter({ path })));
    const kept: string[] = [];
    const deleted: string[] = [];
    const tasks: Array<Promise<unknown>> = [];
    for (let i = 0; i < 200; i++) {
      const writer = i % 2 === 0 ? a! : b!;
      const uuid = randomUUID();
      const doomed = i % 5 === 0;
      tasks.push(
        writer.save({ ...smallVcon(uuid), parties: [{ tel: `+1666${i}` }] }).then(async () => {
          if (doomed) {
            expect(await (i % 3 === 0 ? a! : b!).delete(uuid)).toBe(true);
            deleted.push(uuid);
          } else kept.push(uuid);
        }),
      );
      if (i % 10 === 0) tasks.push(b!.search({ tel: `+1666${i}` }));
      if (i % 50 === 0)
        tasks.push(
          (async () => {
            for await (const _ of a!.export({ batchSize: 7 })) {
              /* drain */
            }
          })(),
        );
    }
    await Promise.all(tasks);
    const exported = new Set<string>();
    for await (const vcon of a!.export()) exported.add(vcon.uuid as string);
    for (const uuid of kept) expect(exported.has(uuid)).toBe(true);
    for (const uuid of deleted) expect(exported.has(uuid)).toBe(false);
    expect(exported.size).toBe(kept.length);
    await a!.close();
    await b!.close();
  });
});

describe("damaged files", () => {
  it("a file overwritten with garbage is INTERNAL naming options.path, never a crash", async () => {
    const path = join(folder, "garbage.sqlite");
    const first = fromAdapter(new SqliteAdapter({ path }));
    await first.save(smallVcon());
    await first.close();
    rmSync(`${path}-wal`, { force: true });
    rmSync(`${path}-shm`, { force: true });
    writeFileSync(path, Buffer.alloc(8192, 0x5a));
    const storage = fromAdapter(new SqliteAdapter({ path }));
    const error = await rejectsWith("INTERNAL", () => storage.get(randomUUID()));
    expect(error.message).toContain("options.path");
    await storage.close();
  });

  it("a path below a regular file is UNAVAILABLE, not retryable", async () => {
    const file = join(folder, "plain-file");
    writeFileSync(file, "x");
    const storage = fromAdapter(new SqliteAdapter({ path: join(file, "db.sqlite") }));
    const error = await rejectsWith("UNAVAILABLE", () => storage.save(smallVcon()));
    expect((error as { retryable?: boolean }).retryable).toBe(false);
    await storage.close();
  });
});
