import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Summary } from "./measure.js";
import type { BenchReport, ScenarioResult } from "./results.js";

const num = (n: number) => Math.round(n).toLocaleString("en-US");
const ms = (n: number | undefined) =>
  n === undefined || Number.isNaN(n) ? "—" : n < 10 ? n.toFixed(2) : n.toFixed(1);
const rate = (s: Summary | null) => (s ? num(s.opsPerSec) : "—");

/** The Markdown results: one table per target, then the target checks and the search plan. */
export function toMarkdown(report: BenchReport): string {
  const out: string[] = [];
  out.push(`Run ${report.startedAt} → ${report.finishedAt}, scale \`${report.scale}\`.`, "");
  out.push(
    Object.entries(report.machine)
      .map(([k, v]) => `- ${k}: ${v}`)
      .join("\n"),
    "",
  );
  out.push(
    "Each row is the same work done by the raw driver and by the adapter in this process and run, sides alternating " +
      "(raw, adapter, adapter, raw); ratio = adapter throughput / raw throughput (1.00x = no overhead; above 1 = faster " +
      "than the baseline). Latencies are per operation (per call for batches).",
    "",
  );
  for (const target of report.targets) {
    out.push(`### ${target.name}`, "", `- adapter: ${target.adapter}`, `- raw baseline: ${target.baseline}`);
    if (target.error) out.push(`- **failed**: ${target.error}`);
    if (target.skipped) out.push(`- **not measured**: ${target.skipped}`);
    out.push("");
    const rows = report.results.filter((r) => r.target === target.name);
    if (rows.length === 0) continue;
    out.push(
      "| scenario | size | conc. | raw | adapter | ratio | raw p50 ms | adapter p50 ms | raw p99 ms | adapter p99 ms | notes |",
      "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    );
    for (const r of rows) out.push(row(r));
    out.push("");
  }
  if (report.checks.length > 0) {
    const missed = report.checks.filter((c) => !c.met);
    out.push("### Targets for @vcon/storage-postgres on the server", "");
    out.push(`${report.checks.length - missed.length} of ${report.checks.length} met.`, "");
    out.push("| target | measured | met |", "| --- | ---: | :---: |");
    for (const c of report.checks) out.push(`| ${c.goal} | ${c.measured} | ${c.met ? "yes" : "**NO**"} |`);
    out.push("");
  }
  for (const plan of report.plans) {
    out.push(`### Query plan: ${plan.target} ${plan.query}`, "", "```", plan.plan, "```", "");
  }
  return out.join("\n");
}

function row(r: ScenarioResult): string {
  const notes: string[] = [];
  if (r.documents !== undefined && !r.scenario.includes(r.documents.toLocaleString("en-US"))) {
    notes.push(`over ${num(r.documents)} stored docs`);
  }
  if (r.peakRssGrowthMb) {
    const { raw, adapter } = r.peakRssGrowthMb;
    notes.push(
      `peak RSS growth: raw ${raw === null ? "—" : `${raw.toFixed(1)} MB`}, adapter ${adapter === null ? "—" : `${adapter.toFixed(1)} MB`}`,
    );
  }
  if (r.cpuMsPerOp) {
    const { raw, adapter } = r.cpuMsPerOp;
    const cpu = (side: typeof raw) =>
      `service ${side.service === null ? "—" : side.service.toFixed(2)} + PostgreSQL ${side.postgres === null ? "—" : side.postgres.toFixed(2)}`;
    notes.push(`CPU ms per op: raw ${cpu(raw)}, adapter ${cpu(adapter)}`);
  }
  if (r.note) notes.push(r.note);
  const ratio = r.ratio === null ? "—" : `${r.ratio.toFixed(2)}x`;
  return `| ${r.scenario} | ${r.size} | ${r.concurrency} | ${rate(r.raw)} ${r.unit} | ${rate(r.adapter)} ${r.unit} | ${ratio} | ${ms(r.raw?.p50Ms)} | ${ms(r.adapter?.p50Ms)} | ${ms(r.raw?.p99Ms)} | ${ms(r.adapter?.p99Ms)} | ${notes.join("; ")} |`;
}

/** One line per result for the console while the run goes on. */
export function progressLine(r: ScenarioResult): string {
  const ratio = r.ratio === null ? "—" : `${r.ratio.toFixed(2)}x`;
  return `${r.target.padEnd(8)} ${`${r.scenario} ${r.size}`.padEnd(40)} c=${String(r.concurrency).padEnd(2)} raw ${rate(r.raw).padStart(9)} adapter ${rate(r.adapter).padStart(9)} ${r.unit}  ${ratio}`;
}

/**
 * The base name of a run's result files. A run of every target is the record: `latest`. A run limited
 * by BENCH_ADAPTERS is `partial-<its names>`, so that measuring one adapter never replaces the record.
 */
export function resultsName(chosen: readonly string[], every: readonly string[]): string {
  if (every.every((name) => chosen.includes(name))) return "latest";
  const names = chosen.map((name) => name.toLowerCase().replace(/[^a-z0-9]+/g, "_")).filter(Boolean);
  return `partial-${names.join("-") || "none"}`;
}

/** Writes `<name>.json` and `<name>.md` into `outDir`, stamping the report's end; returns both paths. */
export function writeResults(
  report: BenchReport,
  outDir: string,
  name: string,
): { json: string; md: string } {
  report.finishedAt = new Date().toISOString();
  mkdirSync(outDir, { recursive: true });
  const files = { json: join(outDir, `${name}.json`), md: join(outDir, `${name}.md`) };
  writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(files.md, `${toMarkdown(report)}\n`);
  return files;
}
