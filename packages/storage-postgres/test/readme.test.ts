/** The README's code blocks are real files: each names its file on its first line and must equal it. */
import { readFileSync } from "node:fs";
import { createTestDatabase, type TestDatabase } from "@vcon/test-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleVcon } from "./helpers.js";
import { withExistingPool } from "./readme/bring-your-own.example.js";
import { quickstart } from "./readme/quickstart.example.js";
import { seedStyle } from "./readme/seed-api.example.js";
import { openServerStorage } from "./readme/server.example.js";

const packageRoot = new URL("../", import.meta.url);

function readmeBlocks(): Array<{ file: string; body: string }> {
  const readme = readFileSync(new URL("README.md", packageRoot), "utf8");
  return [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map(([, body]) => {
    const file = /^\/\/ (\S+\.ts)\n/.exec(body!)?.[1];
    if (!file) throw new Error(`A README ts block does not name its file:\n${body!.slice(0, 80)}`);
    return { file, body: body! };
  });
}

describe("README", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase("readme");
  });
  afterAll(() => database?.drop());

  for (const { file, body } of readmeBlocks()) {
    it(`shows ${file} as it is`, () => {
      expect(body.trimEnd()).toBe(readFileSync(new URL(file, packageRoot), "utf8").trimEnd());
    });
  }

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
