import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AdapterRegistry, fromAdapter, isStorageError, type VconStorage } from "@vcon/storage-core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { adapter, FileAdapter, type FileOptions } from "../src/index.js";
import { runWriter, startWriter } from "./support/child.js";

const created: string[] = [];
const fresh = () => {
  const directory = mkdtempSync(join(tmpdir(), "vcon-file-test-"));
  created.push(directory);
  return directory;
};
afterAll(() => {
  for (const directory of created) rmSync(directory, { recursive: true, force: true });
});
const UUID = "0190a3c4-0000-7000-8000-000000000001";
const opened: VconStorage[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

function storageAt(options: FileOptions): VconStorage {
  const storage = fromAdapter(new FileAdapter({ fsync: false, ...options }));
  opened.push(storage);
  return storage;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("expected a failure"),
    (error: unknown) => error,
  );
}

async function exportAll(storage: VconStorage): Promise<unknown[]> {
  const all: unknown[] = [];
  for await (const document of storage.export()) all.push(document);
  return all;
}

/** Every file under `root`, as paths relative to it. */
function tree(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1))
    .sort();
}

describe("layout", () => {
  it.each([
    [1, "01/0190a3c4-0000-7000-8000-000000000001.json"],
    [2, "01/90/0190a3c4-0000-7000-8000-000000000001.json"],
    [3, "01/90/a3/0190a3c4-0000-7000-8000-000000000001.json"],
  ])("shardDepth %i stores %s and nothing else", async (shardDepth, expected) => {
    const directory = fresh();
    const storage = storageAt({ directory, shardDepth, fsync: true });
    await storage.save({ vcon: "0.3.0", uuid: UUID });
    expect(tree(directory)).toEqual([expected]);
    expect(new FileAdapter({ directory, shardDepth }).pathOf(UUID)).toBe(join(directory, expected));
  });

  it("each file is exactly the JSON text that was saved: plain JSON, bytes kept", async () => {
    const directory = fresh();
    const storage = storageAt({ directory });
    // Odd spacing, key order and escapes: a signed document's bytes must survive untouched.
    const text = `{ "uuid":"${UUID}",\n  "vcon" : "0.3.0", "subject":"caf\\u00e9 ☕", "parties":[] }`;
    await storage.save(text);
    const path = join(directory, "01", `${UUID}.json`);
    expect(readFileSync(path, "utf8")).toBe(text);
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual(await storage.get(UUID));
    const objectDoc = { vcon: "0.3.0", uuid: UUID, created_at: "2024-01-01T00:00:00Z", parties: [] };
    await storage.save(objectDoc);
    expect(readFileSync(path, "utf8")).toBe(JSON.stringify(objectDoc));
  });

  it("a vCon without created_at is ordered by its file's mtime, set at the first save and kept by re-saves", async () => {
    const directory = fresh();
    const storage = storageAt({ directory });
    const path = join(directory, "01", `${UUID}.json`);
    await storage.save({ vcon: "0.3.0", uuid: UUID, subject: "first" });
    const first = Math.round(statSync(path).mtimeMs);
    // Pretend the first save was long ago, then re-save without created_at.
    utimesSync(path, new Date(), new Date("2020-05-05T00:00:00.123Z"));
    await storage.save({ vcon: "0.3.0", uuid: UUID, subject: "second" });
    expect(statSync(path).mtime.toISOString()).toBe("2020-05-05T00:00:00.123Z");
    const page = await storage.search({
      since: "2020-05-05T00:00:00.123Z",
      until: "2020-05-05T00:00:00.124Z",
    });
    expect(page.items.map((v) => v.subject)).toEqual(["second"]);
    expect(first).toBeGreaterThan(Date.parse("2024-01-01"));
    // A document with created_at is ordered by it, whatever the mtime.
    await storage.save({ vcon: "0.3.0", uuid: UUID, created_at: "2001-01-01T00:00:00Z" });
    expect((await storage.search({ until: "2001-01-02" })).items).toHaveLength(1);
  });

  it("files that are not <uuid>.json or shard folders are ignored", async () => {
    const directory = fresh();
    const storage = storageAt({ directory });
    await storage.save({ vcon: "0.3.0", uuid: UUID });
    writeFileSync(join(directory, "README.txt"), "notes");
    writeFileSync(join(directory, "01", "notes.json"), "{not json");
    mkdirSync(join(directory, "zz"));
    writeFileSync(join(directory, "zz", `${UUID}.json`), "{not json");
    expect(await exportAll(storage)).toHaveLength(1);
  });
});

describe("options", () => {
  it.each([
    [{ directory: "" }, "options.directory"],
    [{ directory: "x", shardDepth: 4 }, "options.shardDepth"],
    [{ directory: "x", concurrency: 0 }, "options.concurrency"],
    [{ directory: "x", dir: "y" }, "options"],
  ])("new FileAdapter(%j) is VALIDATION naming %s", (options, path) => {
    let error: unknown;
    try {
      new FileAdapter(options as FileOptions);
    } catch (e) {
      error = e;
    }
    if (!isStorageError(error, "VALIDATION")) return expect.fail(`expected VALIDATION, got ${error}`);
    expect(error.issues[0]?.path).toBe(path);
  });
});

describe("directory", () => {
  it("is created when missing (createDirectory defaults to true)", async () => {
    const directory = join(fresh(), "a", "b");
    await FileAdapter.open({ directory });
    expect(statSync(directory).isDirectory()).toBe(true);
  });

  it("missing with createDirectory: false is UNAVAILABLE at open, and nothing is created", async () => {
    const directory = join(fresh(), "missing");
    const error = await failure(FileAdapter.open({ directory, createDirectory: false }));
    expect(isStorageError(error, "UNAVAILABLE")).toBe(true);
    expect(String(error)).toContain("createDirectory");
    expect(existsSync(directory)).toBe(false);
  });

  it.each([
    ["is a file", (file: string) => file],
    ["lies below a file", (file: string) => join(file, "sub")],
  ])("a path that %s is VALIDATION, at open and at first use", async (_what, pathOf) => {
    const file = join(fresh(), "plain-file");
    writeFileSync(file, "x");
    const directory = pathOf(file);
    const atOpen = await failure(FileAdapter.open({ directory }));
    expect(isStorageError(atOpen, "VALIDATION")).toBe(true);
    expect(String(atOpen)).toContain(directory);
    const storage = storageAt({ directory });
    expect(isStorageError(await failure(storage.save({ vcon: "0.3.0", uuid: UUID })), "VALIDATION")).toBe(
      true,
    );
    expect(readFileSync(file, "utf8")).toBe("x");
  });

  it("createStorage through the definition checks the directory before handing out a storage", async () => {
    const file = join(fresh(), "plain-file");
    writeFileSync(file, "x");
    const registry = new AdapterRegistry().register(adapter);
    const error = await failure(registry.create({ adapter: "file", options: { directory: file } }));
    expect(isStorageError(error, "VALIDATION")).toBe(true);
  });

  // Root ignores file modes, so as root a read-only kernel folder stands in for "not writable".
  const unwritable = process.getuid?.() === 0 ? (existsSync("/sys/kernel") ? "/sys/kernel" : null) : "chmod";
  it.skipIf(unwritable === null)(
    "a directory that cannot be written is UNAVAILABLE naming the path",
    async () => {
      let directory = unwritable!;
      if (unwritable === "chmod") {
        directory = fresh();
        const { chmodSync } = await import("node:fs");
        chmodSync(directory, 0o500);
      }
      const storage = storageAt({ directory });
      const error = await failure(storage.save({ vcon: "0.3.0", uuid: UUID }));
      expect(isStorageError(error, "UNAVAILABLE")).toBe(true);
      expect(String(error)).toContain(directory);
    },
  );

  it("a directory that cannot be created is UNAVAILABLE", async () => {
    const directory = process.getuid?.() === 0 ? "/sys/vcon-storage-test" : "/proc/vcon-storage-test";
    const error = await failure(FileAdapter.open({ directory }));
    expect(isStorageError(error, "UNAVAILABLE")).toBe(true);
    expect(String(error)).toContain(directory);
  });
});

describe("crash safety", () => {
  const TEMP = `.${UUID}.99999.abcdef.tmp`;

  it("a temp file left by a crashed writer is invisible to get, exists, search and export", async () => {
    const directory = fresh();
    const storage = storageAt({ directory });
    mkdirSync(join(directory, "01"));
    writeFileSync(join(directory, "01", TEMP), `{"vcon":"0.3.0","uuid":"${UUID}","subj`);
    expect(await storage.get(UUID)).toBeNull();
    expect(await storage.exists(UUID)).toBe(false);
    expect((await storage.search({})).items).toEqual([]);
    expect(await exportAll(storage)).toEqual([]);
    // A young temp file may belong to a live writer: scans leave it alone.
    expect(readdirSync(join(directory, "01"))).toEqual([TEMP]);
  });

  it("scans delete temp files older than staleTempMs, and removeStaleTempFiles counts them", async () => {
    const directory = fresh();
    const storage = storageAt({ directory, staleTempMs: 60_000 });
    await storage.save({ vcon: "0.3.0", uuid: UUID, subject: "kept" });
    const old = new Date(Date.now() - 120_000);
    const stale = join(directory, "01", TEMP);
    writeFileSync(stale, "{partial");
    utimesSync(stale, old, old);
    expect((await storage.search({})).items.map((v) => v.subject)).toEqual(["kept"]);
    expect(existsSync(stale)).toBe(false);

    const adapterOnly = new FileAdapter({ directory, staleTempMs: 60_000 });
    writeFileSync(stale, "{partial");
    utimesSync(stale, old, old);
    writeFileSync(join(directory, "01", `.${UUID}.1.beef.tmp`), "{young");
    expect(await adapterOnly.removeStaleTempFiles()).toBe(1);
    expect(readdirSync(join(directory, "01")).sort()).toEqual([`.${UUID}.1.beef.tmp`, `${UUID}.json`]);
  });

  it("a writer killed mid-save leaves the previous document or a complete new one, never a partial file", async () => {
    const directory = fresh();
    const storage = storageAt({ directory });
    await storage.save({ vcon: "0.3.0", uuid: UUID, subject: "before" });
    const folder = join(directory, "01");
    const child = startWriter("loop", directory, UUID, String(4 * 1024 * 1024));
    try {
      const deadline = Date.now() + 20_000;
      // Kill it while a temp file exists, i.e. in the middle of a save.
      while (!readdirSync(folder).some((name) => name.endsWith(".tmp"))) {
        if (Date.now() > deadline) throw new Error("the writer never started a save");
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    } finally {
      child.kill("SIGKILL");
      await new Promise((resolve) => child.once("exit", resolve));
    }
    const text = readFileSync(join(folder, `${UUID}.json`), "utf8");
    const stored = JSON.parse(text);
    expect(stored.subject === "before" || /^round \d+$/.test(stored.subject)).toBe(true);
    expect(await storage.get(UUID)).toEqual(stored);
    expect(await exportAll(storage)).toEqual([stored]);
    // Whatever temp file the kill left is ignored above, and removed once stale.
    expect(
      await new FileAdapter({ directory, staleTempMs: 0 }).removeStaleTempFiles(),
    ).toBeGreaterThanOrEqual(0);
    expect(readdirSync(folder)).toEqual([`${UUID}.json`]);
  }, 30_000);

  it("three processes writing one directory (and one shared uuid) leave only complete files", async () => {
    const directory = fresh();
    const shared = "0190a3c4-0000-7000-8fff-000000000000";
    // The writers run the TypeScript sources with tsx (test/support/child.ts): no build needed.
    await Promise.all(["a", "b", "c"].map((tag) => runWriter("many", directory, `${tag}00`, shared)));
    const storage = storageAt({ directory });
    expect(await exportAll(storage)).toHaveLength(61);
    const sharedDoc = await storage.get(shared);
    expect(["a00-19", "b00-19", "c00-19"]).toContain(sharedDoc?.subject);
    for (const path of tree(directory)) {
      expect(path).toMatch(/^[0-9a-f]{2}\/[0-9a-f-]{36}\.json$/);
      expect(() => JSON.parse(readFileSync(join(directory, path), "utf8"))).not.toThrow();
    }
  }, 60_000);
});

describe("saveMany atomicity", () => {
  it("a rename failing mid-chunk undoes the earlier ones: updates keep the stored version, new files vanish", async () => {
    const directory = fresh();
    const storage = storageAt({ directory });
    const created_at = "2024-05-01T00:00:00Z";
    const doc = (uuid: string, version: number) => ({ vcon: "0.3.0", uuid, created_at, version });
    const [a, b, c, blocked] = [1, 2, 3, 4].map((i) => `0190a3c4-0000-7000-8000-00000000000${i}`);
    await storage.saveMany([doc(a!, 1), doc(b!, 1)]);
    // A non-empty folder where `blocked`'s file would go: renaming a file onto it fails.
    mkdirSync(join(directory, "01", `${blocked}.json`));
    writeFileSync(join(directory, "01", `${blocked}.json`, "keep"), "x");
    const error = await failure(storage.saveMany([doc(a!, 2), doc(c!, 2), doc(blocked!, 2), doc(b!, 2)]));
    expect(isStorageError(error)).toBe(true);
    expect(String(error)).toContain(`${blocked}.json`);
    expect(await storage.get(a!)).toEqual(doc(a!, 1));
    expect(await storage.get(b!)).toEqual(doc(b!, 1));
    expect(await storage.get(c!)).toBeNull();
    // No temp file or backup is left behind.
    expect(tree(directory)).toEqual([`01/${a}.json`, `01/${b}.json`, `01/${blocked}.json/keep`]);
  });
});

describe("damaged files", () => {
  async function withFile(content: string | "directory", name = `${UUID}.json`) {
    const directory = fresh();
    const storage = storageAt({ directory });
    await storage.save({ vcon: "0.3.0", uuid: "0190a3c4-0000-7000-8000-0000000000aa", subject: "fine" });
    mkdirSync(join(directory, "01"), { recursive: true });
    const path = join(directory, "01", name);
    if (content === "directory") mkdirSync(path);
    else writeFileSync(path, content);
    return { storage, path };
  }

  it("a file that is not JSON fails get, search and export with INTERNAL naming the file", async () => {
    const { storage, path } = await withFile('{"vcon":"0.3.0","uuid":');
    for (const call of [() => storage.get(UUID), () => storage.search({}), () => exportAll(storage)]) {
      const error = await failure(call());
      expect(isStorageError(error, "INTERNAL")).toBe(true);
      expect(String(error)).toContain(path);
    }
    // The healthy neighbour is still readable by uuid.
    expect((await storage.get("0190a3c4-0000-7000-8000-0000000000aa"))?.subject).toBe("fine");
  });

  it("saving the uuid again replaces a damaged file", async () => {
    const { storage, path } = await withFile("garbage");
    await storage.save({ vcon: "0.3.0", uuid: UUID, subject: "repaired" });
    expect(JSON.parse(readFileSync(path, "utf8")).subject).toBe("repaired");
    expect((await storage.search({})).items).toHaveLength(2);
  });

  it("a file whose document names another uuid is INTERNAL naming the file", async () => {
    const other = "0190a3c4-0000-7000-8000-0000000000bb";
    const { storage, path } = await withFile(JSON.stringify({ vcon: "0.3.0", uuid: other }));
    for (const call of [() => storage.get(UUID), () => storage.search({}), () => exportAll(storage)]) {
      const error = await failure(call());
      expect(isStorageError(error, "INTERNAL")).toBe(true);
      expect(String(error)).toContain(path);
      expect(String(error)).toContain(other);
    }
  });

  it("an unreadable entry (a folder named like a vCon file) is a typed error naming it", async () => {
    const { storage, path } = await withFile("directory");
    for (const call of [() => storage.get(UUID), () => storage.search({}), () => exportAll(storage)]) {
      const error = await failure(call());
      expect(isStorageError(error)).toBe(true);
      expect(String(error)).toContain(path);
    }
  });
});

describe("scanning", () => {
  it("pages through many files in order with bounded reads, and export skips a file deleted meanwhile", async () => {
    const directory = fresh();
    const storage = storageAt({ directory, concurrency: 3 });
    const uuids = Array.from(
      { length: 300 },
      (_, i) => `0190a3c4-0000-7000-8000-${String(i).padStart(12, "0")}`,
    );
    await storage.saveMany(
      uuids.map((uuid, i) => ({
        vcon: "0.3.0",
        uuid,
        created_at: new Date(1_700_000_000_000 + (i % 7) * 1000).toISOString(),
      })),
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<VconStorage["search"]>> = await storage.search({ limit: 41, cursor });
      seen.push(...page.items.map((v) => v.uuid as string));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(300);
    expect(new Set(seen).size).toBe(300);
    const iterator = storage.export()[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    // Deleted after the scan: the export leaves it out instead of failing.
    await storage.delete(seen[299]!);
    let rest = 0;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) rest++;
    expect(rest).toBe(298);
  });
});
