import { rmSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { openStorage, storageWorkload } from "../adapter-workload.js";
import type { Workload } from "../workload.js";
import { rawFileWorkload } from "./raw-file.js";
import type { TargetSettings } from "./settings.js";
import type { Side, Target } from "./target.js";

/** The options @vcon/storage-file takes (`directory`; fsync on, as the raw side does). */
export function fileOptions(directory: string): Record<string, unknown> {
  return { directory };
}

export function fileTarget(settings: TargetSettings): Target {
  const rawDir = join(settings.workDir, "file-raw");
  const adapterDir = join(settings.workDir, "file-adapter");
  // Every file write is an fsync: the counts would take minutes, so this target stores fewer.
  const small = Math.min(settings.scale.smallDataset, 5000);
  return {
    name: "file",
    adapter: "@vcon/storage-file (one JSON file per vCon)",
    baseline:
      "fs: save = write `<shard>/<uuid>.json.tmp`, fsync, rename; get = readFile + JSON.parse; batch = the same, 16 " +
      "files at a time; search/export = read and parse every file, filter, sort by (created_at, uuid)",
    counts: { batch: Math.min(settings.scale.batch, 2000), dataset: small },
    persistent: true,
    async setup() {
      rmSync(rawDir, { recursive: true, force: true });
      rmSync(adapterDir, { recursive: true, force: true });
    },
    async open(side: Side): Promise<Workload> {
      if (side === "raw") return rawFileWorkload(rawDir);
      const storage = await openStorage({ adapter: "file", options: fileOptions(adapterDir) });
      return storageWorkload(storage, async () => {
        // The adapter's directory is emptied from outside; the adapter recreates folders on write.
        await rm(adapterDir, { recursive: true, force: true });
      });
    },
    async teardown() {
      rmSync(rawDir, { recursive: true, force: true });
      rmSync(adapterDir, { recursive: true, force: true });
    },
  };
}
