import { rmSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { openStorage, storageWorkload } from "../adapter-workload.js";
import type { Workload } from "../workload.js";
import { rawSqliteWorkload } from "./raw-sqlite.js";
import type { TargetSettings } from "./settings.js";
import type { Side, Target } from "./target.js";

function removeDatabase(path: string): void {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(path + suffix, { force: true });
}

export function sqliteTarget(settings: TargetSettings): Target {
  const rawPath = join(settings.workDir, "sqlite-raw.sqlite");
  const adapterPath = join(settings.workDir, "sqlite-adapter.sqlite");
  return {
    name: "sqlite",
    adapter: "@vcon/storage-sqlite (better-sqlite3, one WAL file, synchronous FULL)",
    baseline:
      "better-sqlite3 prepared statements on a WAL file (synchronous FULL): save = IMMEDIATE transaction of upsert " +
      "+ tel rows; get = SELECT + JSON.parse; batch = one transaction; tel search = indexed EXISTS, first 100 in " +
      "order; export = keyset pages of 500 in one read transaction",
    counts: { batch: settings.scale.batch, dataset: settings.scale.smallDataset },
    persistent: true,
    async setup() {
      removeDatabase(rawPath);
      removeDatabase(adapterPath);
    },
    async open(side: Side): Promise<Workload> {
      if (side === "raw") return rawSqliteWorkload(rawPath);
      const storage = await openStorage({ adapter: "sqlite", options: { path: adapterPath } });
      return storageWorkload(storage, async () => {
        const db = new Database(adapterPath);
        try {
          db.pragma("busy_timeout = 5000");
          db.exec("DELETE FROM vcons; DELETE FROM vcons_keys;");
        } finally {
          db.close();
        }
      });
    },
    async teardown() {
      removeDatabase(rawPath);
      removeDatabase(adapterPath);
    },
  };
}
