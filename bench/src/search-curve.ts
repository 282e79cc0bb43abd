/**
 * Issues 19, 15 and 17. The search curve: search latency as the table grows, for every filter, a rare
 * and a common value, right after a bulk load (no statistics: autovacuum is off for the table) and
 * after ANALYZE, beside the same query written by hand over the same table and indexes with
 * node-postgres. The scale curve, on the same tables: save, get and export at each size.
 *
 * `pnpm --filter @vcon/bench run bench:search` (after a build), or from source:
 * `node --conditions=@vcon/source --import tsx bench/src/search-curve.ts`. BENCH_CURVE_SIZES (default
 * 10000,100000) lists the table sizes; POSTGRES_URL as for the main bench. The tables are loaded by
 * scale-load.ts, which keeps a copy at each size: a run that stops midway leaves them, and the next
 * run measures them without loading again. A run that finishes drops them, unless BENCH_CURVE_KEEP=1
 * (then the next run loads nothing); BENCH_CURVE_RELOAD=1 loads them anew.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fromAdapter, type SearchQuery, type VconStorage } from "@vcon/storage-core";
import { PostgresAdapter } from "@vcon/storage-postgres";
import pg from "pg";
import { runJsonChild } from "./child-json.js";
import { makeDoc } from "./documents.js";
import { describeMachine } from "./machine.js";
import { runWorkers, summarize } from "./measure.js";
import { postgresServer } from "./postgres-server.js";
import type { ScaleExportOutcome } from "./scale-export-child.js";
import {
  CURVE_SIZES,
  curveDoc,
  curveUuid,
  dropDatabases,
  forgetStatistics,
  loadSnapshots,
  SEED,
  type Snapshot,
} from "./scale-load.js";

const SIZES = CURVE_SIZES;
const CONCURRENCY = [1, 16] as const;
const LIMITS = { maxOps: 400, maxMs: 800 };
const PAGE = 20;
/**
 * The query by hand without an index for it walks the whole table; at 16 callers that is 16 such walks
 * on two cores. Above this p50 at one caller it is not run again at 16 (the row says so).
 */
const RAW_SLOW_MS = 500;
/** The saves of the scale curve are new documents, numbered far above any size, deleted afterwards. */
const SAVE_BASE = 50_000_000;
const SAVE_LIMITS = { maxOps: 2000, maxMs: 3000 };
const GET_LIMITS = { maxOps: 2000, maxMs: 1500 };

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
  /** Null: not run at 16 callers, the query by hand took over RAW_SLOW_MS at one. */
  rawP50Ms: number | null;
  goalMs: number;
}

interface ScaleRow {
  size: number;
  /** This run's load of the table (null: the copy was there from an earlier run). */
  load: Snapshot["load"] | null;
  tableMb: number;
  saveP50Ms: number;
  saveAt16: { p50Ms: number; opsPerSec: number };
  getP50Ms: number;
  getAt16P50Ms: number;
  rawGetP50Ms: number;
  rawGetAt16P50Ms: number;
  /** p50 of search at one caller after ANALYZE, per case, from the search rows. */
  search: Record<string, number>;
  export: ScaleExportOutcome;
}

interface MachineState {
  /** 1, 5 and 15 minute load averages of the machine (os.loadavg()). */
  loadAverage: number[];
  at: string;
}

const machineState = (): MachineState => ({
  loadAverage: loadavg().map((n) => Math.round(n * 100) / 100),
  at: new Date().toISOString(),
});

async function main(): Promise<void> {
  const server = await postgresServer();
  const rows: Row[] = [];
  const scale: ScaleRow[] = [];
  const started = new Date().toISOString();
  const states: Record<string, MachineState> = { start: machineState() };
  const report = () => ({
    started,
    finished: new Date().toISOString(),
    machine: describeMachine({ postgres: server.version }),
    states: { ...states, end: machineState() },
    sizes: SIZES,
    rows,
    scale,
  });
  let snapshots: Snapshot[] = [];
  try {
    snapshots = await loadSnapshots(server.url, SIZES);
    states.loaded = machineState();
    for (const snapshot of snapshots) {
      const { size, url } = snapshot;
      const adapter = await PostgresAdapter.connect({ url, poolSize: 16, statementTimeoutMs: 0 });
      const storage = fromAdapter(adapter);
      const raw = new pg.Pool({ connectionString: url, max: 16 });
      try {
        // As the load left it: no statistics, whatever an earlier run of this bench analysed.
        await forgetStatistics(raw);
        for (const phase of ["after bulk load", "after ANALYZE"] as const) {
          if (phase === "after ANALYZE") await raw.query("ANALYZE vcons");
          rows.push(...(await searchRows(storage, raw, size, phase)));
        }
        scale.push(await scaleRow(snapshot, storage, raw, rows));
      } finally {
        await storage.close();
        await raw.end();
      }
      states[`after ${size}`] = machineState();
      // Written after every size: a run stopped during a later size keeps what it measured.
      write(report());
    }
    write(report());
    if (process.env.BENCH_CURVE_KEEP !== "1") {
      await dropDatabases(
        server.url,
        snapshots.map((snapshot) => snapshot.database),
      );
    }
  } finally {
    await server.stop();
  }
}

async function searchRows(
  storage: VconStorage,
  raw: pg.Pool,
  size: number,
  phase: Row["phase"],
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const c of cases(size)) {
    let rawAtOne = 0;
    for (const concurrency of CONCURRENCY) {
      const adapterRun = await runWorkers(concurrency, LIMITS, async () => {
        const page = await storage.search({ ...c.query, limit: PAGE });
        if (page.items.length === 0) throw new Error(`${c.filter} ${c.value}: nothing found`);
      });
      const skipRaw = concurrency > 1 && rawAtOne > RAW_SLOW_MS;
      const rawRun = skipRaw
        ? null
        : await runWorkers(concurrency, LIMITS, async () => {
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
        rawP50Ms: rawRun && summarize([rawRun]).p50Ms,
        goalMs: c.goalMs,
      };
      if (concurrency === 1) rawAtOne = row.rawP50Ms ?? 0;
      rows.push(row);
      console.log(
        `${size} ${phase} ${c.filter} ${c.value} c=${concurrency}: adapter ${row.adapterP50Ms.toFixed(2)} ms, by hand ${row.rawP50Ms === null ? "not run" : `${row.rawP50Ms.toFixed(2)} ms`}`,
      );
    }
  }
  return rows;
}

async function scaleRow(
  snapshot: Snapshot,
  storage: VconStorage,
  raw: pg.Pool,
  rows: readonly Row[],
): Promise<ScaleRow> {
  const { size } = snapshot;
  const { rows: sized } = await raw.query<{ bytes: string }>(
    "SELECT pg_total_relation_size('vcons') AS bytes",
  );
  // Gets of documents spread over the whole table.
  const uuids = Array.from({ length: 500 }, (_, i) =>
    curveUuid(Math.floor(((i * 7919) % 500) * (size / 500))),
  );
  const getRun = (concurrency: number) =>
    runWorkers(concurrency, GET_LIMITS, async (i) => {
      if (!(await storage.get(uuids[i % uuids.length]!))) throw new Error("get found nothing");
    });
  const rawGetRun = (concurrency: number) =>
    runWorkers(concurrency, GET_LIMITS, async (i) => {
      const { rows: found } = await raw.query<{ vcon: string }>({
        name: "curve-get",
        text: "SELECT vcon FROM vcons WHERE id = $1",
        values: [uuids[i % uuids.length]],
      });
      JSON.parse(found[0]!.vcon);
    });
  const get1 = summarize([await getRun(1)]);
  const rawGet1 = summarize([await rawGetRun(1)]);
  const get16 = summarize([await getRun(16)]);
  const rawGet16 = summarize([await rawGetRun(16)]);
  // New documents (the table grows by a few thousand, then shrinks back), built before the clock runs.
  let saved = 0;
  const saveRun = async (concurrency: number) => {
    const from = SAVE_BASE + saved;
    const docs = Array.from({ length: SAVE_LIMITS.maxOps }, (_, i) => curveDoc(from + i));
    const run = await runWorkers(concurrency, SAVE_LIMITS, (i) => storage.save(docs[i]!));
    saved += SAVE_LIMITS.maxOps;
    return run;
  };
  const save1 = summarize([await saveRun(1)]);
  const save16 = summarize([await saveRun(16)]);
  const savedUuids = Array.from({ length: saved }, (_, i) => makeDoc("2KB", SEED, 3, SAVE_BASE + i).uuid);
  await raw.query("DELETE FROM vcons WHERE id = ANY($1::uuid[])", [savedUuids]);
  const exported = await exportInChild(snapshot.url);
  if (exported.count !== size) throw new Error(`export returned ${exported.count} of ${size} documents`);
  const search: Record<string, number> = {};
  for (const r of rows) {
    if (r.size === size && r.phase === "after ANALYZE" && r.concurrency === 1)
      search[`${r.filter} ${r.value}`] = r.adapterP50Ms;
  }
  const row: ScaleRow = {
    size,
    load: snapshot.load.loaded > 0 ? snapshot.load : null,
    tableMb: Number(sized[0]!.bytes) / (1024 * 1024),
    saveP50Ms: save1.p50Ms,
    saveAt16: { p50Ms: save16.p50Ms, opsPerSec: save16.opsPerSec },
    getP50Ms: get1.p50Ms,
    getAt16P50Ms: get16.p50Ms,
    rawGetP50Ms: rawGet1.p50Ms,
    rawGetAt16P50Ms: rawGet16.p50Ms,
    search,
    export: exported,
  };
  console.log(`${size} scale: ${JSON.stringify(row)}`);
  return row;
}

/** Exports the whole table in a fresh Node process (as this one runs: from source or built). */
function exportInChild(url: string): Promise<ScaleExportOutcome> {
  return runJsonChild<ScaleExportOutcome>("scale-export-child", url);
}

type Report = {
  started: string;
  finished: string;
  machine: unknown;
  states: Record<string, MachineState>;
  sizes: number[];
  rows: Row[];
  scale: ScaleRow[];
};

const ms = (n: number | null) => (n === null ? "not run" : n.toFixed(2));
const count = (n: number) => n.toLocaleString("en-US");
const statesLine = (states: Record<string, MachineState>) =>
  Object.entries(states)
    .map(([name, s]) => `${name} (${s.at}): ${s.loadAverage.join(", ")}`)
    .join("; ");

function write(report: Report) {
  const outDir = process.env.BENCH_OUT ?? fileURLToPath(new URL("../results/", import.meta.url));
  mkdirSync(outDir, { recursive: true });
  const { scale, ...search } = report;
  writeFileSync(join(outDir, "search-curve.json"), `${JSON.stringify(search, null, 2)}\n`);
  writeFileSync(
    join(outDir, "scale-curve.json"),
    `${JSON.stringify({ ...search, rows: undefined, scale }, null, 2)}\n`,
  );
  const command = `POSTGRES_URL=... BENCH_CURVE_SIZES=${report.sizes.join(",")} node --conditions=@vcon/source --import tsx bench/src/search-curve.ts`;
  const head = [
    `${report.started} to ${report.finished}; ${JSON.stringify(report.machine)}`,
    "",
    `Command: \`${command}\``,
    "",
    `Load average (1, 5, 15 min) of the machine, shared with other jobs: ${statesLine(report.states)}.`,
    "",
  ];
  const met = report.rows.filter((r) => r.adapterP50Ms < r.goalMs).length;
  const lines = [
    "# Search curve (issues 19 and 15)",
    "",
    ...head,
    `p50 of \`storage.search({ ..., limit: ${PAGE} })\` against the same filter written by hand over the same table and`,
    `indexes (\`SELECT vcon FROM vcons WHERE <key> ... ORDER BY created_at, id LIMIT ${PAGE + 1}\`, a named prepared`,
    "statement on a pg pool of 16). Documents: the bench's 2 KB vCons plus one text line and a tags attachment;",
    "a common value is on every third document, a rare one on one document (substrings: a few). One table grown",
    "to each size with `saveMany` (bench/src/scale-load.ts), a copy kept at each size; autovacuum off for the",
    'table and its statistics removed before measuring, so "after bulk load" has no statistics. By hand "not run":',
    `at 16 callers when it took over ${RAW_SLOW_MS} ms at one.`,
    "",
    `Goal met in ${met} of ${report.rows.length} rows.`,
    "",
    "| documents | phase | filter | value | callers | adapter p50 ms | by hand p50 ms | goal p50 ms | goal |",
    "| ---: | --- | --- | --- | ---: | ---: | ---: | ---: | --- |",
    ...report.rows.map(
      (r) =>
        `| ${count(r.size)} | ${r.phase} | ${r.filter} | ${r.value} | ${r.concurrency} | ${ms(r.adapterP50Ms)} | ${ms(r.rawP50Ms)} | < ${r.goalMs} | ${r.adapterP50Ms < r.goalMs ? "met" : "missed"} |`,
    ),
  ];
  writeFileSync(join(outDir, "search-curve.md"), `${lines.join("\n")}\n`);
  const scaleLines = [
    "# Scale curve (issue 17)",
    "",
    ...head,
    "The tables of the search curve (bench/results/search-curve.md): one table grown 10,000 -> 100,000 -> 1,000,000,",
    "measured after ANALYZE. save: new 2 KB documents, one `storage.save` per call (p50 at 1 caller; p50 and",
    "throughput at 16, group commit coalescing them), deleted again afterwards. get: `storage.get` of documents",
    "spread over the table, beside `SELECT vcon FROM vcons WHERE id = $1` by hand. export: `storage.export()` of the",
    "whole table in a child process, its peak RSS above the RSS at the start. search: p50 at 1 caller after",
    "ANALYZE. Flat is the goal.",
    "",
    "| documents | table on disk MB | save p50 ms (1) | save p50 ms (16) | saves/s (16) | get p50 ms (1) | by hand | get p50 ms (16) | by hand | export s | export docs/s | export peak RSS growth MB |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...scale.map(
      (r) =>
        `| ${count(r.size)} | ${r.tableMb.toFixed(0)} | ${ms(r.saveP50Ms)} | ${ms(r.saveAt16.p50Ms)} | ${r.saveAt16.opsPerSec.toFixed(0)} | ${ms(r.getP50Ms)} | ${ms(r.rawGetP50Ms)} | ${ms(r.getAt16P50Ms)} | ${ms(r.rawGetAt16P50Ms)} | ${(r.export.wallMs / 1000).toFixed(1)} | ${((r.export.count * 1000) / r.export.wallMs).toFixed(0)} | ${r.export.peakRssGrowthMb.toFixed(0)} |`,
    ),
    "",
    `Search p50 ms at 1 caller after ANALYZE (all rows, both phases and 16 callers: search-curve.md):`,
    "",
    `| documents | ${Object.keys(scale[0]?.search ?? {}).join(" | ")} |`,
    `| ---: | ${Object.keys(scale[0]?.search ?? {})
      .map(() => "---:")
      .join(" | ")} |`,
    ...scale.map((r) => `| ${count(r.size)} | ${Object.values(r.search).map(ms).join(" | ")} |`),
    "",
    "Loads in this run (none: the copies were there):",
    "",
    ...scale.map((r) =>
      r.load
        ? `- ${count(r.size)}: ${count(r.load.loaded)} documents added in ${r.load.seconds.toFixed(0)} s (${(r.load.loaded / r.load.seconds).toFixed(0)} docs/s), copied in ${r.load.copySeconds.toFixed(0)} s`
        : `- ${count(r.size)}: loaded by an earlier run`,
    ),
  ];
  writeFileSync(join(outDir, "scale-curve.md"), `${scaleLines.join("\n")}\n`);
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
