import { mkdir, open, readdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { BenchDoc } from "../documents.js";
import type { Workload } from "../workload.js";

const BATCH_PARALLEL = 16;

/**
 * The raw baseline on a file system: one `<uuid>.json` per document in 256 shard folders; save =
 * write a temp file, fsync, rename; get = readFile + JSON.parse; search and export read every file.
 */
export function rawFileWorkload(dir: string): Workload {
  const made = new Set<string>();
  const pathOf = async (uuid: string) => {
    const shard = join(dir, uuid.slice(0, 2));
    if (!made.has(shard)) {
      await mkdir(shard, { recursive: true });
      made.add(shard);
    }
    return join(shard, `${uuid}.json`);
  };
  const save = async (doc: BenchDoc) => {
    const path = await pathOf(doc.uuid);
    const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    const handle = await open(temp, "w");
    try {
      await handle.writeFile(JSON.stringify(doc.vcon));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  };
  const readAll = async function* () {
    const shards = await readdir(dir).catch(() => [] as string[]);
    for (const shard of shards.sort()) {
      for (const name of (await readdir(join(dir, shard))).sort()) {
        if (name.endsWith(".json"))
          yield JSON.parse(await readFile(join(dir, shard, name), "utf8")) as BenchDoc["vcon"];
      }
    }
  };
  const byTimeThenUuid = (a: BenchDoc["vcon"], b: BenchDoc["vcon"]) =>
    Date.parse(a.created_at!) - Date.parse(b.created_at!) || (a.uuid < b.uuid ? -1 : 1);
  return {
    save,
    async get(uuid) {
      try {
        return JSON.parse(await readFile(await pathOf(uuid), "utf8"));
      } catch (error) {
        if ((error as { code?: string }).code === "ENOENT") return null;
        throw error;
      }
    },
    async saveBatch(docs) {
      for (let i = 0; i < docs.length; i += BATCH_PARALLEL)
        await Promise.all(docs.slice(i, i + BATCH_PARALLEL).map(save));
    },
    async searchTel(tel) {
      const found = [];
      for await (const vcon of readAll()) if (vcon.parties?.some((p) => p.tel === tel)) found.push(vcon);
      return found.sort(byTimeThenUuid).slice(0, 100).length;
    },
    async exportRange(range) {
      const inRange = [];
      for await (const vcon of readAll()) {
        const at = Date.parse(vcon.created_at!);
        if (at >= range.since.getTime() && at < range.until.getTime()) inRange.push(vcon);
      }
      return inRange.sort(byTimeThenUuid).length;
    },
    async clear() {
      await rm(dir, { recursive: true, force: true });
      made.clear();
    },
    async close() {},
  };
}
