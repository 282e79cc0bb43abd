import { rmSync } from "node:fs";
import { join } from "node:path";
import { deleteEverything, openStorage, storageWorkload } from "../adapter-workload.js";
import type { Workload } from "../workload.js";
import { rawPgliteWorkload } from "./raw-pglite.js";
import type { TargetSettings } from "./settings.js";
import type { Side, Target } from "./target.js";

/** The options @vcon/storage-postgres takes for an embedded PGlite database in a directory. */
export function pgliteOptions(dataDir: string): Record<string, unknown> {
  return { driver: "pglite", dataDir };
}

export function pgliteTarget(settings: TargetSettings): Target {
  const rawDir = join(settings.workDir, "pglite-raw");
  const adapterDir = join(settings.workDir, "pglite-adapter");
  return {
    name: "pglite",
    adapter: "@vcon/storage-postgres on PGlite (embedded, data directory on disk)",
    baseline:
      "a second PGlite instance (its own data directory) running the server baseline's SQL through `db.query`; " +
      "batch = COPY FROM '/dev/blob'; export = cursor + FETCH 500",
    counts: { batch: settings.scale.batch, dataset: settings.scale.smallDataset },
    persistent: true,
    async setup() {
      rmSync(rawDir, { recursive: true, force: true });
      rmSync(adapterDir, { recursive: true, force: true });
    },
    async open(side: Side): Promise<Workload> {
      if (side === "raw") return rawPgliteWorkload(rawDir);
      const storage = await openStorage({ adapter: "postgres", options: pgliteOptions(adapterDir) });
      // PGlite allows one connection per directory, and the adapter holds it: empty through its API.
      return storageWorkload(storage, () => deleteEverything(storage));
    },
    async teardown() {
      rmSync(rawDir, { recursive: true, force: true });
      rmSync(adapterDir, { recursive: true, force: true });
    },
  };
}
