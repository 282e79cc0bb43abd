import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AdapterRegistry, isStorageError } from "@vcon/storage-core";
import { afterAll, describe, expect, it } from "vitest";
import { adapter } from "../src/index.js";
import { sampleVcon } from "./helpers.js";

const registry = new AdapterRegistry().register(adapter);
/** create, then open: the folder is claimed by `open()` (what a service runs at start), not by create. */
const openAt = async (dataDir: string) => {
  const storage = await registry.create({ adapter: "postgres", options: { embedded: { dataDir } } });
  try {
    await storage.open!();
  } catch (error) {
    await storage.close();
    throw error;
  }
  return storage;
};
const rejectionOf = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail("expected a rejection"),
    (e: unknown) => e,
  );
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
    const error = await rejectionOf(openAt(join(file, "pglite")));
    expect(isStorageError(error) && error.code).toBe("VALIDATION");
    expect(error).toMatchObject({ issues: [{ path: "options.embedded.dataDir" }] });
  });

  describe("one process at a time", () => {
    const lockOf = (dataDir: string) => join(dataDir, "vcon-storage.lock");

    it("a second storage on an open folder is UNAVAILABLE; after close the folder opens again", async () => {
      const dataDir = join(root, "shared");
      const first = await openAt(dataDir);
      expect(existsSync(lockOf(dataDir))).toBe(true);
      const error = await rejectionOf(openAt(dataDir));
      expect(error).toMatchObject({ code: "UNAVAILABLE" });
      expect(String(error)).toContain("in use by this process");
      await first.close();
      expect(existsSync(lockOf(dataDir))).toBe(false);
      const again = await openAt(dataDir);
      await again.close();
    });

    it("two storages opened at once on one folder: exactly one gets it", async () => {
      const dataDir = join(root, "raced");
      const outcomes = await Promise.allSettled([openAt(dataDir), openAt(dataDir)]);
      const opened = outcomes.filter((o) => o.status === "fulfilled");
      expect(opened).toHaveLength(1);
      expect(outcomes.find((o) => o.status === "rejected")).toMatchObject({
        reason: { code: "UNAVAILABLE" },
      });
      await (opened[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof openAt>>>).value.close();
    });

    it("a folder held by another running process is refused, and taken over once that process is gone", async () => {
      const dataDir = join(root, "held");
      mkdirSync(dataDir, { recursive: true });
      const holder = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
      try {
        writeFileSync(lockOf(dataDir), `${holder.pid}\n`);
        const error = await rejectionOf(openAt(dataDir));
        expect(error).toMatchObject({ code: "UNAVAILABLE" });
        expect(String(error)).toContain(`in use by process ${holder.pid}`);
      } finally {
        holder.kill();
        await once(holder, "exit");
      }
      const storage = await openAt(dataDir);
      await storage.close();
    });

    it("a file:// data directory is a folder too, and locked the same way", async () => {
      const dataDir = join(root, "by-url", "pglite");
      const first = await openAt(`file://${dataDir}`);
      expect(existsSync(lockOf(dataDir))).toBe(true);
      expect(await rejectionOf(openAt(dataDir))).toMatchObject({ code: "UNAVAILABLE" });
      await first.close();
    });

    it("a lock naming this pid that this process does not hold (a restarted container) is taken over", async () => {
      const dataDir = join(root, "restarted");
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(lockOf(dataDir), `${process.pid}\n`);
      const storage = await openAt(dataDir);
      await storage.close();
    });
  });
});
