/** The README's examples run and do what the README says; scripts/check-docs.mjs keeps each block equal to its file. */
import { createTestDatabase, type TestDatabase } from "@vcon/test-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleVcon } from "./helpers.js";
import { withExistingPool } from "./readme/bring-your-own.example.js";
import { quickstart } from "./readme/quickstart.example.js";
import { seedStyle } from "./readme/seed-api.example.js";
import { openServerStorage } from "./readme/server.example.js";

describe("README", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase("readme");
  });
  afterAll(() => database?.drop());

  it("quickstart: embedded save, get, search and export", async () => {
    const result = await quickstart();
    expect(result).toMatchObject({ matches: 1, exported: 1, found: { subject: "Billing question" } });
  });

  it("server: the documented options open a working storage", async () => {
    const storage = await openServerStorage(database.url);
    const vcon = sampleVcon();
    await storage.save(vcon);
    expect(await storage.get(vcon.uuid)).toEqual(vcon);
    await storage.close();
  });

  it("seed-style module functions round-trip", async () => {
    const vcon = sampleVcon();
    expect(await seedStyle(vcon, { url: database.url })).toEqual(vcon);
  });

  it("a borrowed pool stays open after close()", async () => {
    expect(await withExistingPool(database.url)).toEqual({ one: 1 });
  });
});
