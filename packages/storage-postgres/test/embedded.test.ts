import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AdapterRegistry, isStorageError } from "@vcon/storage-core";
import { afterAll, describe, expect, it } from "vitest";
import { adapter } from "../src/index.js";
import { sampleVcon } from "./helpers.js";

const registry = new AdapterRegistry().register(adapter);
const openAt = (dataDir: string) =>
  registry.create({ adapter: "postgres", options: { embedded: { dataDir } } });
const root = mkdtempSync(join(tmpdir(), "vcon-pglite-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("embedded PGlite with a data directory", () => {
  it("creates missing parent folders and keeps documents across reopening", async () => {
    const dataDir = join(root, "fresh", "checkout", ".data", "pglite");
    const vcon = sampleVcon();
    const first = await openAt(dataDir);
    await first.save(vcon);
    await first.close();

    const second = await openAt(dataDir);
    expect(await second.get(vcon.uuid)).toStrictEqual(vcon);
    await second.close();
  });

  it("a data directory below a file is VALIDATION naming the option", async () => {
    const file = join(root, "plain-file");
    writeFileSync(file, "not a folder");
    const error = await openAt(join(file, "pglite")).then(
      () => expect.fail("expected a rejection"),
      (e: unknown) => e,
    );
    expect(isStorageError(error) && error.code).toBe("VALIDATION");
    expect(error).toMatchObject({ issues: [{ path: "options.embedded.dataDir" }] });
  });
});
