/**
 * A batch whose chunk fails inside PostgreSQL (a trigger raises for one uuid) leaves nothing of that
 * chunk behind; earlier chunks are committed, and BatchError says exactly which landed and which failed.
 */
import { randomUUID } from "node:crypto";
import { BatchError, type VconStorage } from "@vcon/storage-core";
import { createTestDatabase, type TestDatabase } from "@vcon/test-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findVconTable, onDatabase } from "../src/adapter-table.js";
import { caught } from "../src/capture.js";
import { openPostgres, serverOptions } from "../src/postgres.js";
import { smallVcon } from "../src/vcons.js";

describe("saveMany atomicity per chunk on a PostgreSQL server", () => {
  let database: TestDatabase;
  let storage: VconStorage;
  const poison = randomUUID();

  beforeAll(async () => {
    database = await createTestDatabase("vcon_reliability_batch");
    storage = await openPostgres(serverOptions({ url: database.url }));
    await storage.save(smallVcon()); // makes sure the schema exists before the trigger goes on it
    const table = await findVconTable(database.url);
    await onDatabase(database.url, (client) =>
      client.query(`
        create function refuse_poison() returns trigger language plpgsql as $$
        begin
          if new.uuid::text = '${poison}' then raise exception 'poisoned row refused by test trigger'; end if;
          return new;
        end $$;
        create trigger refuse_poison before insert or update on ${table}
          for each row execute function refuse_poison();`),
    );
  });
  afterAll(async () => {
    await storage?.close();
    await database?.drop();
  });

  it("the failing chunk leaves nothing, earlier chunks land, BatchError names both", async () => {
    const vcons = Array.from({ length: 30 }, () => smallVcon());
    vcons[14] = smallVcon(poison); // in the second chunk of ten
    const error = await caught(() => storage.saveMany(vcons, { chunkSize: 10 }));
    expect(error).toBeInstanceOf(BatchError);
    const batch = error as BatchError;
    expect(batch.landed).toEqual([{ start: 0, end: 10 }]);
    expect(batch.failed).toEqual({ start: 10, end: 20 });
    expect(batch.message).toContain("10-19");
    for (const [index, vcon] of vcons.entries()) {
      expect(await storage.exists(vcon.uuid as string), `item ${index}`).toBe(index < 10);
    }
  });

  it("an update of existing rows in the failing chunk is rolled back too", async () => {
    const existing = Array.from({ length: 5 }, () => smallVcon(randomUUID(), "before"));
    await storage.saveMany(existing);
    const updates = [...existing.map((v) => ({ ...v, subject: "after" })), smallVcon(poison)];
    const error = await caught(() => storage.saveMany(updates));
    expect(error).toBeInstanceOf(BatchError);
    expect((error as BatchError).landed).toEqual([]);
    for (const vcon of existing) expect((await storage.get(vcon.uuid as string))?.subject).toBe("before");
  });

  it("a batch with no failing row reports every chunk as landed", async () => {
    const vcons = Array.from({ length: 25 }, () => smallVcon());
    const result = await storage.saveMany(vcons, { chunkSize: 10 });
    expect(result).toEqual({
      saved: 25,
      chunks: [
        { start: 0, end: 10 },
        { start: 10, end: 20 },
        { start: 20, end: 25 },
      ],
    });
  });
});
