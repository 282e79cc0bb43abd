import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BenchReport } from "../src/results.js";

const benchDir = dirname(dirname(fileURLToPath(import.meta.url)));
// Compiled next to the package (not into dist/, which a parallel build may be rewriting), so that
// node_modules resolution and the export child processes work exactly as in `pnpm bench`.
const buildDir = join(benchDir, ".tmp", "test-dist");
const outDir = mkdtempSync(join(tmpdir(), "vcon-bench-test-"));
let report: BenchReport;
let markdown: string;

beforeAll(() => {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  rmSync(buildDir, { recursive: true, force: true });
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--outDir", buildDir], { cwd: benchDir });
  const run = spawnSync(process.execPath, [join(buildDir, "run.js")], {
    cwd: benchDir,
    env: { ...process.env, BENCH_SCALE: "quick", BENCH_ADAPTERS: "memory,postgres", BENCH_OUT: outDir },
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`bench exited with ${run.status}:\n${run.stdout}\n${run.stderr}`);
  // A run limited to some targets writes partial-<names>.*, never latest.*.
  report = JSON.parse(readFileSync(join(outDir, "partial-memory-postgres.json"), "utf8")) as BenchReport;
  markdown = readFileSync(join(outDir, "partial-memory-postgres.md"), "utf8");
  // A whole quick bench run (compile, memory and postgres targets): on a 2-core machine with other
  // jobs or CPU steal it has taken over 120 s.
}, 300_000);

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
  rmSync(buildDir, { recursive: true, force: true });
});

const SCENARIOS = [
  "save (new uuid)",
  "save (existing uuid)",
  "get (existing uuid)",
  "get (missing uuid)",
  "batch save",
  "search by tel",
  "full export",
];

describe("pnpm bench at quick scale (memory and the PostgreSQL server)", () => {
  it("measures every scenario for both targets, at concurrency 1 and 16, with both sides", () => {
    expect(report.scale).toBe("quick");
    expect(report.targets.map((t) => [t.name, t.error])).toEqual([
      ["memory", undefined],
      ["postgres", undefined],
    ]);
    for (const target of ["memory", "postgres"]) {
      for (const scenario of SCENARIOS) {
        for (const concurrency of [1, 16]) {
          const rows = report.results.filter(
            (r) => r.target === target && r.scenario.startsWith(scenario) && r.concurrency === concurrency,
          );
          expect(rows.length, `${target} ${scenario} c=${concurrency}`).toBeGreaterThan(0);
          for (const row of rows) {
            expect(row.raw!.ops).toBeGreaterThan(0);
            expect(row.adapter!.ops).toBeGreaterThan(0);
            expect(row.ratio).toBeCloseTo(row.adapter!.opsPerSec / row.raw!.opsPerSec, 6);
          }
        }
      }
    }
  });

  it("covers the three document sizes for single operations", () => {
    const sizes = new Set(report.results.filter((r) => r.scenario.startsWith("get")).map((r) => r.size));
    expect([...sizes].sort()).toEqual(["1MB", "2KB", "50KB"]);
  });

  it("reports export peak RSS for both sides and the tel search plan", () => {
    for (const row of report.results.filter((r) => r.scenario.startsWith("full export"))) {
      expect(typeof row.peakRssGrowthMb?.raw).toBe("number");
      expect(typeof row.peakRssGrowthMb?.adapter).toBe("number");
    }
    const plan = report.plans.find((p) => p.target === "postgres");
    expect(plan?.plan).toMatch(/Scan|Index|Result/);
  });

  it("judges every postgres target and writes them to the Markdown table", () => {
    const goals = report.checks.map((c) => c.goal).join("\n");
    for (const needle of [
      "save (new uuid)",
      "get (existing uuid)",
      "COPY",
      "peak RSS",
      "p50 < 5 ms",
      "index",
    ]) {
      expect(goals).toContain(needle);
    }
    expect(markdown).toContain("### postgres");
    expect(markdown).toContain("| scenario | size | conc. | raw | adapter | ratio |");
    expect(markdown).toContain("### Targets for @vcon/storage-postgres on the server");
    expect(existsSync(join(outDir, "partial-memory-postgres.json"))).toBe(true);
    expect(existsSync(join(outDir, "latest.json"))).toBe(false);
  });
});
