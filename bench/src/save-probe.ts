/**
 * Issue 17 probe: save throughput at 1 and 16 callers, the adapter (group commit) against the raw
 * single-statement prepared upsert on the same schema (bench/src/raw-sql.ts), sides alternating, same
 * pool size. Besides the ratio it prints the CPU each save cost, in this process and in the server
 * backends serving each side (from /proc, when the server runs on this machine): on a CPU-bound machine
 * that, not the commit, is what bounds throughput.
 * `node --conditions=@vcon/source --import tsx bench/src/save-probe.ts` with POSTGRES_URL set;
 * PROBE_SIZES (2KB,50KB,1MB), PROBE_CONCURRENCY (1,16) and PROBE_ROUNDS (3) narrow or lengthen it;
 * PROBE_BOUNDS (e.g. 1,2,4,16) measures one adapter per `maxWritesInFlight` in the same run, so bounds
 * compare with each other as well as with raw (default: the adapter's default only).
 * PROBE_READS=pipeline measures instead raw gets at 16 callers, a pool of 16 against pg's pipeline mode on
 * 2 and 4 clients (issue 17: keep pipelining for reads only if it gains).
 */
import { fromAdapter, type VconStorage } from "@vcon/storage-core";
import { PostgresAdapter } from "@vcon/storage-postgres";
import pg from "pg";
import { singleOpGoal } from "./checks.js";
import { DOC_SIZES, type DocSize, makeDoc } from "./documents.js";
import { runWorkers, type Summary, summarize } from "./measure.js";
import { listFromEnv, mean, openRawPool, PROBE_SERVER } from "./probe-kit.js";
import { backendCpu, backendCpuBetween } from "./process-cpu.js";
import { RAW_GET, RAW_SCHEMA, RAW_UPSERT, upsertParams } from "./raw-sql.js";
import { databaseUrl, recreateDatabases } from "./targets/pg-admin.js";

const server = PROBE_SERVER;
const ROUNDS = Number(process.env.PROBE_ROUNDS ?? 3);
const SIZES = listFromEnv("PROBE_SIZES", DOC_SIZES) as DocSize[];
const CONCURRENCY = listFromEnv("PROBE_CONCURRENCY", ["1", "16"]).map(Number);
const POOL_SIZE = 16;
const BOUNDS = process.env.PROBE_BOUNDS ? listFromEnv("PROBE_BOUNDS", []).map(Number) : [undefined];
const DATABASES = { raw: "vcon_probe_raw", adapter: "vcon_probe_adapter" } as const;

/** "raw", or an adapter by its bound ("adapter" for the default one). */
type Side = string;

interface Sample {
  summary: Summary;
  /** CPU ms per save: this process, and the server backends of this side's database. */
  clientMs: number;
  serverMs: number | null;
}

async function main() {
  await recreateDatabases(server, Object.values(DATABASES));
  // No idle timeout on either side: a backend that exits takes its CPU count with it (see backendCpu).
  const raw = await openRawPool(DATABASES.raw, POOL_SIZE);
  const adapters = new Map<Side, VconStorage>();
  for (const bound of BOUNDS) {
    const adapter = await PostgresAdapter.connect({
      url: databaseUrl(server, DATABASES.adapter),
      poolSize: POOL_SIZE,
      idleTimeoutMs: 0,
      ...(bound === undefined ? {} : { maxWritesInFlight: bound }),
    });
    adapters.set(bound === undefined ? "adapter" : `adapter(${bound})`, fromAdapter(adapter));
  }
  const order: Side[] = ["raw", ...adapters.keys()];
  let series = 100;
  try {
    for (const size of SIZES) {
      for (const concurrency of CONCURRENCY) {
        const limits = { maxOps: size === "1MB" ? 60 : size === "50KB" ? 600 : 3000, maxMs: 1500 };
        const samples = new Map<Side, Sample[]>(order.map((side) => [side, []]));
        for (let round = 0; round < ROUNDS; round++) {
          for (const side of round % 2 === 0 ? order : [...order].reverse()) {
            const s = series++;
            const database = side === "raw" ? DATABASES.raw : DATABASES.adapter;
            const storage = adapters.get(side);
            const cpu = process.cpuUsage();
            const backends = backendCpu(database);
            const run = await runWorkers(concurrency, limits, async (i) => {
              const doc = makeDoc(size, 1, s, i);
              if (storage) await storage.save(doc.vcon);
              else await raw.query({ name: "probe-upsert", text: RAW_UPSERT, values: upsertParams(doc) });
            });
            const used = process.cpuUsage(cpu);
            const after = backendCpu(database);
            samples.get(side)!.push({
              summary: summarize([run]),
              clientMs: (used.user + used.system) / 1000 / Math.max(1, run.ops),
              serverMs:
                after === null || backends === null
                  ? null
                  : backendCpuBetween(backends, after)! / Math.max(1, run.ops),
            });
          }
        }
        const rawSamples = samples.get("raw")!;
        const r = mean(rawSamples.map((s) => s.summary.opsPerSec));
        const goal = singleOpGoal("save", size, concurrency);
        for (const [side, list] of samples) {
          if (side === "raw") continue;
          const a = mean(list.map((s) => s.summary.opsPerSec));
          console.log(
            `save ${size} c=${concurrency}: raw ${r.toFixed(0)} ops/s, ${side} ${a.toFixed(0)} ops/s, ${(a / r).toFixed(2)}x (target >= ${goal}x: ${a / r >= goal ? "met" : "missed"}); CPU ms/save client raw ${cpuOf(rawSamples, "clientMs")} adapter ${cpuOf(list, "clientMs")}, server raw ${cpuOf(rawSamples, "serverMs")} adapter ${cpuOf(list, "serverMs")}`,
          );
        }
      }
    }
  } finally {
    for (const storage of adapters.values()) await storage.close();
    await raw.end();
  }
}

function cpuOf(samples: readonly Sample[], key: "clientMs" | "serverMs"): string {
  const values = samples.map((s) => s[key]);
  return values.some((v) => v === null) ? "—" : mean(values as number[]).toFixed(2);
}

/** Raw gets of stored 2KB documents at 16 callers: a pool of 16 against 2 and 4 pipelined clients. */
async function pipelinedReads() {
  await recreateDatabases(server, [DATABASES.raw]);
  const url = databaseUrl(server, DATABASES.raw);
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, idleTimeoutMillis: 0 });
  await pool.query(RAW_SCHEMA);
  const docs = Array.from({ length: 2000 }, (_, i) => makeDoc("2KB", 1, 1, i));
  for (const doc of docs) await pool.query(RAW_UPSERT, upsertParams(doc));
  // `pipeline` (pg 8.23+) is not in @types/pg yet.
  const clients = Array.from(
    { length: 4 },
    () => new pg.Client({ connectionString: url, pipeline: true } as pg.ClientConfig),
  );
  for (const client of clients) await client.connect();
  const get = (runner: pg.Pool | pg.Client, i: number) =>
    runner
      .query<{ vcon: string }>({ name: "probe-get", text: RAW_GET, values: [docs[i % docs.length]!.uuid] })
      .then((result) => JSON.parse(result.rows[0]!.vcon));
  const sides: Record<string, (i: number) => Promise<unknown>> = {
    "pool of 16": (i) => get(pool, i),
    "2 pipelined clients": (i) => get(clients[i % 2]!, i),
    "4 pipelined clients": (i) => get(clients[i % 4]!, i),
  };
  const rates = new Map<string, number[]>();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const names = Object.keys(sides);
      for (const name of round % 2 === 0 ? names : names.reverse()) {
        const run = await runWorkers(16, { maxOps: 20_000, maxMs: 1500 }, sides[name]!);
        rates.set(name, [...(rates.get(name) ?? []), summarize([run]).opsPerSec]);
      }
    }
    const base = mean(rates.get("pool of 16")!);
    for (const [name, list] of rates)
      console.log(
        `get 2KB c=16 (raw): ${name} ${mean(list).toFixed(0)} ops/s, ${(mean(list) / base).toFixed(2)}x`,
      );
  } finally {
    for (const client of clients) await client.end();
    await pool.end();
  }
}

(process.env.PROBE_READS === "pipeline" ? pipelinedReads() : main()).catch((error) => {
  console.error(error);
  process.exit(1);
});
