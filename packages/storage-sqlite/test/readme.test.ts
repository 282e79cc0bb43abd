/** The README's examples run and do what the README says; scripts/check-docs.mjs keeps each block equal to its file. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { withOptions } from "./readme/options.example.js";
import { quickstart } from "./readme/quickstart.example.js";

const folder = mkdtempSync(join(tmpdir(), "vcon-sqlite-readme-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

it("quickstart: save, get, search and export in a file", async () => {
  const result = await quickstart(join(folder, "data", "vcons.sqlite"));
  expect(result).toMatchObject({ matches: 1, exported: 1, found: { subject: "Billing question" } });
});

it("quickstart in memory", async () => {
  expect(await quickstart(":memory:")).toMatchObject({ matches: 1, exported: 1 });
});

it("options: every option with its default", async () => {
  expect(await withOptions(join(folder, "options.sqlite"))).toBe(1);
});
