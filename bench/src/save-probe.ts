/**
 * Issue 17 probe: save throughput at 1 and 16 callers, the adapter (group commit) against the raw
 * single-statement prepared upsert on the same schema (bench/src/raw-sql.ts), sides alternating.
 * `node --conditions=@vcon/source --import tsx bench/src/save-probe.ts` with POSTGRES_URL set.
 */
import { fromAdapter } from "@vcon/storage-core";
import { PostgresAdapter } from "@vcon/storage-postgres";
import pg from "pg";
import { type DocSize, makeDoc } from "./documents.js";
import { runWorkers, summarize } from "./measure.js";
import { RAW_SCHEMA, RAW_UPSERT, upsertParams } from "./raw-sql.js";
import { databaseUrl, recreateDatabases } from "./targets/pg-admin.js";

const server = process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const ROUNDS = 3;

async function main() {
  await recreateDatabases(server, ["vcon_probe_raw", "vcon_probe_adapter"]);
  const raw = new pg.Pool({ connectionString: databaseUrl(server, "vcon_probe_raw"), max: 16 });
  await raw.query(RAW_SCHEMA);
  const storage = fromAdapter(
    await PostgresAdapter.connect({ url: databaseUrl(server, "vcon_probe_adapter"), poolSize: 16 }),
  );
  let series = 100;
  try {
    for (const size of ["2KB", "50KB", "1MB"] as DocSize[]) {
      for (const concurrency of [1, 16]) {
        const limits = { maxOps: size === "1MB" ? 60 : size === "50KB" ? 600 : 3000, maxMs: 1500 };
        const sides = {
          raw: [] as ReturnType<typeof summarize>[],
          adapter: [] as ReturnType<typeof summarize>[],
        };
        for (let round = 0; round < ROUNDS; round++) {
          for (const side of round % 2 === 0
            ? (["raw", "adapter"] as const)
            : (["adapter", "raw"] as const)) {
            const s = series++;
            const run = await runWorkers(concurrency, limits, async (i) => {
              const doc = makeDoc(size, 1, s, i);
              if (side === "raw")
                await raw.query({ name: "probe-upsert", text: RAW_UPSERT, values: upsertParams(doc) });
              else await storage.save(doc.vcon);
            });
            sides[side].push(summarize([run]));
          }
        }
        const rate = (list: ReturnType<typeof summarize>[]) =>
          list.reduce((n, s) => n + s.opsPerSec, 0) / list.length;
        const r = rate(sides.raw);
        const a = rate(sides.adapter);
        const goal =
          concurrency === 16 && size === "2KB" ? 2 : size === "1MB" && concurrency === 16 ? 0.9 : 0.95;
        console.log(
          `save ${size} c=${concurrency}: raw ${r.toFixed(0)} ops/s, adapter ${a.toFixed(0)} ops/s, ${(a / r).toFixed(2)}x (target >= ${goal}x: ${a / r >= goal ? "met" : "missed"})`,
        );
      }
    }
  } finally {
    await storage.close();
    await raw.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
