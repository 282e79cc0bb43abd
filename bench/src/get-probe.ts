/**
 * Issue 17 probe: get throughput at 1 and 16 callers, the adapter with pipelined reads (its default) and
 * without (`pipelineReads: false`) against the raw driver (a pg.Pool of 16 running the same named
 * prepared SELECT, bench/src/raw-sql.ts), sides alternating in each round, same pool size.
 * `node --conditions=@vcon/source --import tsx bench/src/get-probe.ts` with POSTGRES_URL set;
 * PROBE_SIZES (2KB,50KB), PROBE_CONCURRENCY (1,16) and PROBE_ROUNDS (4) narrow or lengthen it.
 */
import { fromAdapter, type VconStorage } from "@vcon/storage-core";
import { PostgresAdapter } from "@vcon/storage-postgres";
import { singleOpGoal } from "./checks.js";
import { type BenchDoc, type DocSize, makeDoc } from "./documents.js";
import { runWorkers, summarize } from "./measure.js";
import { listFromEnv, mean, openRawPool, PROBE_SERVER } from "./probe-kit.js";
import { RAW_GET, RAW_UPSERT, upsertParams } from "./raw-sql.js";
import { databaseUrl, onDatabase, recreateDatabases } from "./targets/pg-admin.js";

const server = PROBE_SERVER;
const ROUNDS = Number(process.env.PROBE_ROUNDS ?? 4);
const SIZES = listFromEnv("PROBE_SIZES", ["2KB", "50KB"]) as DocSize[];
const CONCURRENCY = listFromEnv("PROBE_CONCURRENCY", ["1", "16"]).map(Number);
const POOL_SIZE = 16;
/** Documents per size, read round robin: enough to leave the server's cache warm but not one hot row. */
const STORED = 1000;
const DATABASES = { raw: "vcon_get_probe_raw", adapter: "vcon_get_probe_adapter" } as const;

async function main() {
  await recreateDatabases(server, Object.values(DATABASES));
  const raw = await openRawPool(DATABASES.raw, POOL_SIZE);
  const adapterOptions = {
    url: databaseUrl(server, DATABASES.adapter),
    poolSize: POOL_SIZE,
    idleTimeoutMs: 0,
  };
  const sides = new Map<string, VconStorage | null>([
    ["raw", null],
    ["adapter (pipelined)", fromAdapter(await PostgresAdapter.connect(adapterOptions))],
    [
      "adapter (pipelineReads: false)",
      fromAdapter(await PostgresAdapter.connect({ ...adapterOptions, pipelineReads: false })),
    ],
  ]);
  const writer = sides.get("adapter (pipelined)")!;
  const order = [...sides.keys()];
  try {
    for (const size of SIZES) {
      const docs: BenchDoc[] = Array.from({ length: STORED }, (_, i) => makeDoc(size, 1, 1, i));
      for (const doc of docs) {
        await raw.query({ name: "probe-upsert", text: RAW_UPSERT, values: upsertParams(doc) });
        await writer.save(doc.vcon);
      }
      for (const concurrency of CONCURRENCY) {
        const limits = { maxOps: size === "50KB" ? 4000 : 20_000, maxMs: 1500 };
        const rates = new Map<string, number[]>(order.map((side) => [side, []]));
        for (let round = 0; round < ROUNDS; round++) {
          for (const side of round % 2 === 0 ? order : [...order].reverse()) {
            const storage = sides.get(side);
            const run = await runWorkers(concurrency, limits, async (i) => {
              const uuid = docs[i % STORED]!.uuid;
              const found = storage
                ? await storage.get(uuid)
                : await raw
                    .query<{ vcon: string }>({ name: "probe-get", text: RAW_GET, values: [uuid] })
                    .then((result) => JSON.parse(result.rows[0]!.vcon));
              if (!found) throw new Error(`${side}: ${uuid} not found`);
            });
            rates.get(side)!.push(summarize([run]).opsPerSec);
          }
        }
        const base = mean(rates.get("raw")!);
        const goal = singleOpGoal("get", size, concurrency);
        for (const [side, list] of rates) {
          const rate = mean(list);
          const ratio = rate / base;
          const verdict = side === "raw" ? "" : ` (target >= ${goal}x: ${ratio >= goal ? "met" : "missed"})`;
          console.log(
            `get ${size} c=${concurrency}: ${side} ${rate.toFixed(0)} ops/s, ${ratio.toFixed(2)}x${verdict}; rounds ${list.map((r) => r.toFixed(0)).join(" ")}`,
          );
        }
      }
    }
  } finally {
    for (const storage of sides.values()) await storage?.close();
    await raw.end();
    await onDatabase(server, async (client) => {
      for (const name of Object.values(DATABASES))
        await client.query(`drop database if exists ${name} with (force)`);
    });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
