import type { ScenarioResult, TargetCheck } from "./results.js";

const fmt = (n: number | null | undefined, digits = 2) =>
  n === null || n === undefined || Number.isNaN(n) ? "n/a" : n.toFixed(digits);

/** The targets for @vcon/storage-postgres on the server, judged from this run's figures. */
export function postgresChecks(results: readonly ScenarioResult[], plan: string | null): TargetCheck[] {
  const rows = results.filter((r) => r.target === "postgres");
  const checks: TargetCheck[] = [];
  for (const r of rows) {
    const where = `${r.scenario}, ${r.size}, concurrency ${r.concurrency}`;
    if (r.scenario.startsWith("save") || r.scenario.startsWith("get")) {
      checks.push({
        target: "postgres",
        goal: `${where}: >= 0.90x raw`,
        measured: `${fmt(r.ratio)}x`,
        met: (r.ratio ?? 0) >= 0.9,
      });
      if (r.scenario.startsWith("save") && r.size === "2KB" && r.concurrency === 16) {
        // Issue 17: group commit should carry concurrent saves past the raw single-statement upsert.
        checks.push({
          target: "postgres",
          goal: `${where}: >= 2.0x raw (group commit, issue 17)`,
          measured: `${fmt(r.ratio)}x`,
          met: (r.ratio ?? 0) >= 2,
        });
      }
    } else if (r.scenario.startsWith("batch save")) {
      checks.push({
        target: "postgres",
        goal: `${where}: >= 0.70x COPY`,
        measured: `${fmt(r.ratio)}x`,
        met: (r.ratio ?? 0) >= 0.7,
      });
    } else if (r.scenario.startsWith("full export")) {
      const growth = r.peakRssGrowthMb?.adapter ?? null;
      checks.push({
        target: "postgres",
        goal: `${where}: peak RSS growth < 100 MB`,
        measured: `${fmt(growth, 1)} MB`,
        met: growth !== null && growth < 100,
      });
    } else if (r.scenario.startsWith("search by tel")) {
      const p50 = r.adapter?.p50Ms ?? null;
      checks.push({
        target: "postgres",
        goal: `${where}: p50 < 5 ms`,
        measured: `${fmt(p50)} ms`,
        met: p50 !== null && p50 < 5,
      });
    }
  }
  if (rows.some((r) => r.scenario.startsWith("search by tel"))) {
    // Served by an index = the tel containment (`tels @> ...`, the adapter's key column) is an index
    // condition of the gathering statement, not a filter over walked rows.
    const indexed = plan !== null && /(Index|Recheck) Cond: .*tels @>/.test(plan);
    checks.push({
      target: "postgres",
      goal: "search by tel served by an index (EXPLAIN)",
      measured: indexed ? "tel is an index condition" : "tel applied as a filter (no index serves it)",
      met: indexed,
    });
  }
  return checks;
}
