import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { fromAdapter, isStorageError } from "@vcon/storage-core";
import { expect, it } from "vitest";
import { FileAdapter } from "../src/index.js";

const run = promisify(execFile);
const fresh = () => mkdtempSync(join(tmpdir(), "vcon-file-test-"));

it("a directory path that is a file fails with VALIDATION at first use", async () => {
  const file = join(fresh(), "plain-file");
  writeFileSync(file, "x");
  const storage = fromAdapter(new FileAdapter({ directory: file }));
  const failure = await storage
    .save({ vcon: "0.3.0", uuid: "0190a3c4-0000-7000-8000-000000000001" })
    .catch((e) => e);
  expect(isStorageError(failure, "VALIDATION")).toBe(true);
  await storage.close();
});

it("stores <dir>/<2 hex>/<uuid>.json and leaves no temp files", async () => {
  const directory = fresh();
  const storage = fromAdapter(new FileAdapter({ directory, shardDepth: 2 }));
  await storage.save({ vcon: "0.3.0", uuid: "0190a3c4-0000-7000-8000-000000000001" });
  expect(readdirSync(join(directory, "01", "90"))).toEqual(["0190a3c4-0000-7000-8000-000000000001.json"]);
  await storage.close();
});

it("three processes writing one directory leave only complete files", async () => {
  const directory = fresh();
  const shared = "0190a3c4-0000-7000-8fff-000000000000";
  const script = fileURLToPath(new URL("./writer.mjs", import.meta.url));
  // The built package is what a child process can import; `pnpm build` runs before tests.
  await Promise.all(
    ["a", "b", "c"].map((tag) => run(process.execPath, [script, directory, `${tag}00`, shared])),
  );
  const storage = fromAdapter(new FileAdapter({ directory }));
  const all = [];
  for await (const document of storage.export()) all.push(document);
  expect(all).toHaveLength(61);
  const sharedDoc = await storage.get(shared);
  expect(["a00", "b00", "c00"].map((t) => `${t}-19`)).toContain(sharedDoc?.subject);
  for (const folder of readdirSync(directory)) {
    for (const name of readdirSync(join(directory, folder))) {
      expect(name.endsWith(".tmp")).toBe(false);
      const text = readFileSync(join(directory, folder, name), "utf8");
      expect(() => JSON.parse(text.slice(text.indexOf("\n") + 1))).not.toThrow();
    }
  }
  await storage.close();
});
