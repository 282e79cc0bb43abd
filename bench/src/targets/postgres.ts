import type pg from "pg";
import { openStorage, storageWorkload } from "../adapter-workload.js";
import type { Workload } from "../workload.js";
import { databaseUrl, onDatabase, recordQueries, recreateDatabases, truncateAll } from "./pg-admin.js";
import { rawPgWorkload } from "./raw-pg.js";
import type { TargetSettings } from "./settings.js";
import type { Side, Target } from "./target.js";

const RAW_DB = "vcon_bench_raw";
const ADAPTER_DB = "vcon_bench_adapter";
/** Both sides get the same number of connections: enough for the highest concurrency. */
const POOL_SIZE = 16;

/** The options @vcon/storage-postgres takes for a server. */
export function postgresServerOptions(url: string, poolSize: number): Record<string, unknown> {
  return { url, poolSize };
}

export function postgresTarget(settings: TargetSettings): Target {
  const rawUrl = databaseUrl(settings.postgresUrl, RAW_DB);
  const adapterUrl = databaseUrl(settings.postgresUrl, ADAPTER_DB);
  return {
    name: "postgres",
    adapter:
      "@vcon/storage-postgres on a PostgreSQL server (pg Pool, 16 connections): saveMany = per chunk, one transaction: " +
      "COPY FROM STDIN into a temporary staging table + one `INSERT ... SELECT ... ON CONFLICT (id) DO UPDATE`; " +
      "search = a named prepared statement per query shape; export = a server-side cursor, FETCH 100 at a time",
    baseline:
      "node-postgres Pool (16 connections), the adapter's table layout and indexes: named prepared `insert ... on conflict (id) do " +
      "update` of id, vcon text, uuid, created_at, updated_at, subject, vcon_json jsonb (JSON.stringify once, cast " +
      "server-side); `select vcon where id = $1` + JSON.parse; batch = " +
      "COPY FROM STDIN (pg-copy-streams) into the emptied table; search = jsonb `@>` on parties with a GIN index; " +
      "export = a server-side cursor, FETCH 500 at a time, JSON.parse each",
    counts: { batch: settings.scale.batch, dataset: settings.scale.dataset },
    persistent: true,
    setup: () => recreateDatabases(settings.postgresUrl, [RAW_DB, ADAPTER_DB]),
    async open(side: Side, concurrency: number): Promise<Workload> {
      const poolSize = Math.max(POOL_SIZE, concurrency);
      if (side === "raw") return rawPgWorkload(rawUrl, poolSize);
      const storage = await openStorage({
        adapter: "postgres",
        options: postgresServerOptions(adapterUrl, poolSize),
      });
      return {
        ...storageWorkload(storage, () => onDatabase(adapterUrl, truncateAll)),
        afterBulkLoad: () => onDatabase(adapterUrl, async (c) => void (await c.query("vacuum analyze"))),
      };
    },
    explainSearch: (adapter, tel) => explainAdapterSearch(adapter, tel, adapterUrl),
    async teardown() {},
  };
}

/**
 * EXPLAIN ANALYZE of the exact statement the adapter sent for a tel search (the longest one: for a rare
 * tel the adapter sends a short probe of the first rows, then the statement that gathers matching ids
 * through the index, which is the one shown). The adapter sends it as a
 * named prepared statement, and PostgreSQL may switch such a statement to a generic plan after five
 * executions: the plan shown is the one a connection uses from then on (PREPARE, six EXECUTEs, then
 * EXPLAIN ANALYZE EXECUTE), not a one-off custom plan.
 */
export async function explainAdapterSearch(adapter: Workload, tel: string, url: string): Promise<string> {
  const sent = await recordQueries(() => adapter.searchTel!(tel));
  const search = sent
    .filter((q) => /^\s*(with|select)\b/i.test(q.text))
    .sort((a, b) => b.text.length - a.text.length)[0];
  if (!search) return `(no select statement was seen; statements: ${sent.map((q) => q.text).join(" | ")})`;
  return onDatabase(url, async (client: pg.Client) => {
    const args = search.values.map((v) =>
      typeof v === "number" ? String(v) : client.escapeLiteral(String(v)),
    );
    const execute = `EXECUTE bench_search_probe${args.length > 0 ? `(${args.join(", ")})` : ""}`;
    await client.query(`PREPARE bench_search_probe AS ${search.text}`);
    for (let i = 0; i < 6; i++) await client.query(execute);
    const { rows } = await client.query<{ "QUERY PLAN": string }>(
      `explain (analyze, buffers, costs off) ${execute}`,
    );
    return [
      `statement ${search.name ?? "(unnamed)"}: ${search.text.replace(/\s+/g, " ")}`,
      `parameters: ${JSON.stringify(search.values)}`,
      "plan after 6 executions of the prepared statement (what a pooled connection runs):",
      "",
      ...rows.map((r) => r["QUERY PLAN"]),
    ].join("\n");
  });
}
