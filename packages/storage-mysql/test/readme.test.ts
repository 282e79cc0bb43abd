/** The README's examples run and do what the README says; scripts/check-docs.mjs keeps each block equal to its file. */
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithMysql, testDatabase } from "./mysql-env.js";
import { productionSetup } from "./readme/production.example.js";
import { quickstart } from "./readme/quickstart.example.js";

const database = testDatabase("readme");
const production = testDatabase("readme_prod");

await describeWithMysql("README examples", () => {
  beforeAll(async () => {
    await database.create();
    await production.create();
  });
  afterAll(async () => {
    await database.drop();
    await production.drop();
  });

  it("quickstart: save, get, search and export", async () => {
    const result = await quickstart(database.url);
    expect(result).toMatchObject({ matches: 1, exported: 1, found: { subject: "Billing question" } });
  });

  it("production: migrate with one user, serve with another, limit from max_allowed_packet", async () => {
    // One server user here; in production the two URLs name different users.
    const result = await productionSetup(production.url, production.url);
    expect(result.applied).toStrictEqual(["0001_documents_and_keys"]);
    expect(result.limit).toBeGreaterThan(1024 * 1024);
  });
});
