import mysql from "mysql2/promise";
import { openStorage, storageWorkload } from "../adapter-workload.js";
import type { Workload } from "../workload.js";
import { rawMysqlWorkload } from "./raw-mysql.js";
import type { TargetSettings } from "./settings.js";
import type { Side, Target } from "./target.js";

const RAW_DB = "vcon_bench_raw";
const ADAPTER_DB = "vcon_bench_adapter";

/** MYSQL_URL (a user that may create databases), else the local server as root. */
function serverUrl(): string {
  return process.env.MYSQL_URL ?? "mysql://root@127.0.0.1:3306";
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function recreate(database: string, drop: boolean): Promise<void> {
  const connection = await mysql.createConnection({ uri: serverUrl() });
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
    if (!drop)
      await connection.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  } finally {
    await connection.end();
  }
}

/** The options @vcon/storage-mysql takes. */
export function mysqlOptions(url: string, poolSize: number): Record<string, unknown> {
  return { url, poolSize };
}

export function mysqlTarget(settings: TargetSettings): Target {
  const rawUrl = withDatabase(serverUrl(), RAW_DB);
  const adapterUrl = withDatabase(serverUrl(), ADAPTER_DB);
  return {
    name: "mysql",
    adapter: "@vcon/storage-mysql (mysql2 pool; documents + search-key side table in one transaction)",
    baseline:
      "mysql2 prepared statements: save = transaction of upsert + tel rows; get = SELECT + JSON.parse; batch = " +
      "transaction of 500-row multi-row upserts + tel rows; tel search = indexed EXISTS join, first 100 in order; " +
      "export = keyset pages of 500 in a consistent snapshot",
    counts: { batch: settings.scale.batch, dataset: settings.scale.smallDataset },
    persistent: true,
    async setup() {
      await recreate(RAW_DB, false);
      await recreate(ADAPTER_DB, false);
    },
    async open(side: Side, concurrency: number): Promise<Workload> {
      const poolSize = Math.max(concurrency, 2);
      if (side === "raw") return rawMysqlWorkload(rawUrl, poolSize);
      const storage = await openStorage({ adapter: "mysql", options: mysqlOptions(adapterUrl, poolSize) });
      return storageWorkload(storage, async () => {
        const connection = await mysql.createConnection({ uri: adapterUrl });
        try {
          await connection.query("TRUNCATE TABLE vcons");
          await connection.query("TRUNCATE TABLE vcons_keys");
        } finally {
          await connection.end();
        }
      });
    },
    async teardown() {
      await recreate(RAW_DB, true).catch(() => {});
      await recreate(ADAPTER_DB, true).catch(() => {});
    },
  };
}
