/** The README's examples run and do what the README says; scripts/check-docs.mjs keeps each block equal to its file. */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isStorageError } from "@vcon/storage-core";
import { afterAll, describe, expect, it } from "vitest";
import { archive } from "./readme/direct.example.js";
import { quickstart } from "./readme/quickstart.example.js";

const root = mkdtempSync(join(tmpdir(), "vcon-file-readme-"));
let n = 0;
const fresh = () => {
  const directory = join(root, `t${n++}`);
  mkdirSync(directory);
  return directory;
};
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("README", () => {
  it("quickstart: save, get, search and export in a folder", async () => {
    const result = await quickstart(join(fresh(), "vcons"));
    expect(result).toMatchObject({ matches: 1, exported: 1, found: { subject: "Billing question" } });
  });

  it("direct: a signed vCon's file holds its exact bytes", async () => {
    const directory = fresh();
    const payload = Buffer.from(
      JSON.stringify({ vcon: "0.3.0", uuid: "018f3c9e-7b1a-8c2d-9e3f-0123456789ac", parties: [] }),
    ).toString("base64url");
    const signed = `{"payload":"${payload}",  "signatures":[{"protected":"eyJhbGciOiJFUzI1NiJ9","signature":"c2ln"}]}`;
    expect(await archive(directory, signed)).toEqual({ sameBytes: true, removed: 0 });
  });

  it("direct: createDirectory: false refuses a missing folder with UNAVAILABLE", async () => {
    const error = await archive(join(fresh(), "not-mounted"), "{}").catch((e: unknown) => e);
    expect(isStorageError(error, "UNAVAILABLE")).toBe(true);
  });
});
