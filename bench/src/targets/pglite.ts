import { rmSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { openStorage, storageWorkload } from "../adapter-workload.js";
import type { Workload } from "../workload.js";
import { truncateAll } from "./pg-admin.js";
import { rawPgliteWorkload } from "./raw-pglite.js";
import type { TargetSettings } from "./settings.js";
import type { Side, Target } from "./target.js";

/** The options @vcon/storage-postgres takes for a PGlite database the application opened. */
export function pgliteOptions(pglite: PGlite): Record<string, unknown> {
  return { pglite };
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
    // PGlite runs single-threaded in this process: half the batch and a 10,000-document dataset keep the run short.
    counts: {
      batch: Math.ceil(settings.scale.batch / 2),
      dataset: Math.min(settings.scale.smallDataset, 10_000),
    },
    persistent: true,
    async setup() {
      rmSync(rawDir, { recursive: true, force: true });
      rmSync(adapterDir, { recursive: true, force: true });
    },
    async open(side: Side): Promise<Workload> {
      if (side === "raw") return rawPgliteWorkload(rawDir);
      // Opened here and lent to the adapter (as `{ embedded: { dataDir } }` would open it), so the bench
      // can empty the adapter's tables between scenarios; PGlite allows one owner per directory.
      const pglite = await PGlite.create(adapterDir);
      const storage = await openStorage({ adapter: "postgres", options: pgliteOptions(pglite) });
      const workload = storageWorkload(storage, () => truncateAll(pglite));
      return {
        ...workload,
        afterBulkLoad: async () => void (await pglite.exec("vacuum analyze")),
        async close() {
          await workload.close();
          await pglite.close();
        },
      };
    },
    async teardown() {
      rmSync(rawDir, { recursive: true, force: true });
      rmSync(adapterDir, { recursive: true, force: true });
    },
  };
}
