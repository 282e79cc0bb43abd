/**
 * Issue 19 and 15: search latency as the table grows, for every filter, a rare and a common value,
 * right after a bulk load (nothing analysed: autovacuum is off for the table) and after ANALYZE, beside
 * the same query written by hand over the same table and indexes with node-postgres.
 *
 * `pnpm --filter @vcon/bench run bench:search` (after a build). BENCH_CURVE_SIZES (default
 * 10000,100000) lists the table sizes; POSTGRES_URL as for the main bench.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fromAdapter, type SearchQuery, type Vcon } from "@vcon/storage-core";
import { PostgresAdapter } from "@vcon/storage-postgres";
import pg from "pg";
import { makeDoc } from "./documents.js";
import { describeMachine } from "./machine.js";
import { runWorkers, summarize } from "./measure.js";
import { postgresServer } from "./postgres-server.js";
import { databaseUrl, recreateDatabases } from "./targets/pg-admin.js";

const SIZES = (process.env.BENCH_CURVE_SIZES ?? "10000,100000").split(",").map(Number);
const SEED = Number(process.env.BENCH_SEED ?? 20_251_128);
const CONCURRENCY = [1, 16] as const;
const LIMITS = { maxOps: 400, maxMs: 800 };
const PAGE = 20;
const DATABASE = "vcon_bench_curve";
const LOAD_CHUNK = 5000;

/** Every third vCon shares the common values; every vCon has rare values of its own. */
function curveDoc(index: number): Vcon {
  const { vcon } = makeDoc("2KB", SEED, 3, index);
  const common = index % 3 === 0;
  if (common) {
    vcon.parties!.push({ tel: "+18005550000", mailto: "FrontDesk@Example.com", name: "Front Desk" });
    vcon.subject = `Billing dispute: ${vcon.subject}`;
  }
  vcon.subject = `${vcon.subject} #c${index}x`;
  vcon.dialog!.push({
    type: "text",
    start: vcon.created_at,
    parties: [0],
    encoding: "none",
    body: common
      ? `I want a refund for my last invoice, order ON${index}X.`
      : `My order number is ON${index}X, thanks.`,
  });
  vcon.attachments!.push({
    purpose: "tags",
    encoding: "json",
    body: JSON.stringify([`customer:c${index}`, common ? "queue:billing" : `queue:q${index % 97}`]),
  });
  return vcon;
}

interface Case {
  filter: string;
  value: "rare" | "common";
  query: SearchQuery;
  /** The hand-written statement over the same table, and its one parameter. */
  raw: { text: string; value: unknown };
  /** p50 goal of the issues, ms. */
  goalMs: number;
}

const byHand = (where: string) =>
  `SELECT vcon FROM vcons WHERE ${where} ORDER BY created_at, id LIMIT ${PAGE + 1}`;
const like = (value: string) => `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function cases(size: number): Case[] {
  // A document near the middle of the table that holds no common value.
  const middle = Math.floor(size / 2) + 1;
  const k = middle % 3 === 0 ? middle + 1 : middle;
  const tel = makeDoc("2KB", SEED, 3, k).tel;
  const make = (
    filter: string,
    value: Case["value"],
    query: SearchQuery,
    where: string,
    param: unknown,
    goalMs: number,
  ): Case => ({ filter, value, query, raw: { text: byHand(where), value: param }, goalMs });
  return [
    make("tel", "rare", { tel }, "tels @> ARRAY[$1::text]", tel, 5),
    make("tel", "common", { tel: "+18005550000" }, "tels @> ARRAY[$1::text]", "+18005550000", 5),
    make(
      "mailto",
      "rare",
      { mailto: `CUSTOMER${k}@example.org` },
      "mailtos @> ARRAY[$1::text]",
      `customer${k}@example.org`,
      5,
    ),
    make(
      "mailto",
      "common",
      { mailto: "frontdesk@example.com" },
      "mailtos @> ARRAY[$1::text]",
      "frontdesk@example.com",
      5,
    ),
    make("name", "rare", { name: `customer ${k}` }, "party_names LIKE $1", like(`customer ${k}`), 20),
    make("name", "common", { name: "front desk" }, "party_names LIKE $1", like("front desk"), 20),
    make("subject", "rare", { subject: `#c${k}x` }, "subject_key LIKE $1", like(`#c${k}x`), 20),
    make(
      "subject",
      "common",
      { subject: "billing dispute" },
      "subject_key LIKE $1",
      like("billing dispute"),
      20,
    ),
    make("text (2 words)", "rare", { text: `is on${k}x` }, "search_text LIKE $1", like(`is on${k}x`), 20),
    make("text (2 words)", "common", { text: "a refund" }, "search_text LIKE $1", like("a refund"), 20),
    make("tag", "rare", { tag: `customer:c${k}` }, "tags @> ARRAY[$1::text]", `customer:c${k}`, 20),
    make("tag", "common", { tag: "queue:billing" }, "tags @> ARRAY[$1::text]", "queue:billing", 20),
  ];
}

interface Row {
  size: number;
  phase: "after bulk load" | "after ANALYZE";
  filter: string;
  value: "rare" | "common";
  concurrency: number;
  adapterP50Ms: number;
  rawP50Ms: number;
  goalMs: number;
}

async function main(): Promise<void> {
  const server = await postgresServer();
  const rows: Row[] = [];
  const started = new Date().toISOString();
  try {
    for (const size of SIZES) {
      await recreateDatabases(server.url, [DATABASE]);
      const url = databaseUrl(server.url, DATABASE);
      const adapter = await PostgresAdapter.connect({ url, poolSize: 16 });
      const storage = fromAdapter(adapter);
      const raw = new pg.Pool({ connectionString: url, max: 16 });
      try {
        await raw.query("ALTER TABLE vcons SET (autovacuum_enabled = false)");
        const loadStart = performance.now();
        for (let from = 0; from < size; from += LOAD_CHUNK) {
          const chunk = Array.from({ length: Math.min(LOAD_CHUNK, size - from) }, (_, i) =>
            curveDoc(from + i),
          );
          await storage.saveMany(chunk);
        }
        console.log(`${size} documents loaded in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`);
        for (const phase of ["after bulk load", "after ANALYZE"] as const) {
          if (phase === "after ANALYZE") await raw.query("ANALYZE vcons");
          for (const c of cases(size)) {
            for (const concurrency of CONCURRENCY) {
              const adapterRun = await runWorkers(concurrency, LIMITS, async () => {
                const page = await storage.search({ ...c.query, limit: PAGE });
                if (page.items.length === 0) throw new Error(`${c.filter} ${c.value}: nothing found`);
              });
              const rawRun = await runWorkers(concurrency, LIMITS, async () => {
                const { rows: found } = await raw.query<{ vcon: string }>({
                  name: `curve-${c.filter}-${c.value}`,
                  text: c.raw.text,
                  values: [c.raw.value],
                });
                for (const row of found) JSON.parse(row.vcon);
              });
              const row: Row = {
                size,
                phase,
                filter: c.filter,
                value: c.value,
                concurrency,
                adapterP50Ms: summarize([adapterRun]).p50Ms,
                rawP50Ms: summarize([rawRun]).p50Ms,
                goalMs: c.goalMs,
              };
              rows.push(row);
              console.log(
                `${size} ${phase} ${c.filter} ${c.value} c=${concurrency}: adapter ${row.adapterP50Ms.toFixed(2)} ms, by hand ${row.rawP50Ms.toFixed(2)} ms`,
              );
            }
          }
        }
      } finally {
        await storage.close();
        await raw.end();
      }
    }
  } finally {
    await server.stop();
  }
  write({
    started,
    finished: new Date().toISOString(),
    machine: describeMachine({ postgres: server.version }),
    sizes: SIZES,
    rows,
  });
}

function write(report: {
  started: string;
  finished: string;
  machine: unknown;
  sizes: number[];
  rows: Row[];
}) {
  const outDir = process.env.BENCH_OUT ?? fileURLToPath(new URL("../results/", import.meta.url));
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "search-curve.json"), `${JSON.stringify(report, null, 2)}\n`);
  const lines = [
    "# Search curve (issues 19 and 15)",
    "",
    `${report.started} to ${report.finished}; ${JSON.stringify(report.machine)}`,
    "",
    `p50 of \`storage.search({ ..., limit: ${PAGE} })\` against the same filter written by hand over the same table and`,
    `indexes (\`SELECT vcon FROM vcons WHERE <key> ... ORDER BY created_at, id LIMIT ${PAGE + 1}\`, a named prepared`,
    "statement on a pg pool of 16). Documents: the bench's 2 KB vCons plus one text line and a tags attachment;",
    "a common value is on every third document, a rare one on one document (substrings: a few). Loaded with",
    '`saveMany`; autovacuum off for the table, so "after bulk load" has no statistics.',
    "",
    "| documents | phase | filter | value | callers | adapter p50 ms | by hand p50 ms | goal p50 ms | goal |",
    "| ---: | --- | --- | --- | ---: | ---: | ---: | ---: | --- |",
    ...report.rows.map(
      (r) =>
        `| ${r.size.toLocaleString("en-US")} | ${r.phase} | ${r.filter} | ${r.value} | ${r.concurrency} | ${r.adapterP50Ms.toFixed(2)} | ${r.rawP50Ms.toFixed(2)} | < ${r.goalMs} | ${r.adapterP50Ms < r.goalMs ? "met" : "missed"} |`,
    ),
  ];
  writeFileSync(join(outDir, "search-curve.md"), `${lines.join("\n")}\n`);
  for (const r of report.rows.filter((row) => row.adapterP50Ms >= row.goalMs)) {
    console.log(
      `TARGET MISSED: ${r.size} ${r.phase} ${r.filter} ${r.value} c=${r.concurrency}: ${r.adapterP50Ms.toFixed(2)} ms`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
