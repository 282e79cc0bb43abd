import type { ScenarioResult, TargetCheck } from "./results.js";

const fmt = (n: number | null | undefined, digits = 2) =>
  n === null || n === undefined || Number.isNaN(n) ? "n/a" : n.toFixed(digits);

/**
 * Issue 17's ratio to raw for a single save or get: group commit should carry small concurrent saves to
 * twice the raw single-statement upsert; 1 MB saves at 16 callers (their cost is bytes, not commits)
 * 0.90x; everything else, a lone caller included, 0.95x.
 */
export function singleOpGoal(op: "save" | "get", size: string, concurrency: number): number {
  if (op === "save" && concurrency >= 16) return size === "1MB" ? 0.9 : size === "2KB" ? 2 : 0.95;
  return 0.95;
}

/** The targets for @vcon/storage-postgres on the server, judged from this run's figures. */
export function postgresChecks(results: readonly ScenarioResult[], plan: string | null): TargetCheck[] {
  const rows = results.filter((r) => r.target === "postgres");
  const checks: TargetCheck[] = [];
  for (const r of rows) {
    const where = `${r.scenario}, ${r.size}, concurrency ${r.concurrency}`;
    if (r.scenario.startsWith("save") || r.scenario.startsWith("get")) {
      const goal = singleOpGoal(r.scenario.startsWith("save") ? "save" : "get", r.size, r.concurrency);
      checks.push({
        target: "postgres",
        goal: `${where}: >= ${goal.toFixed(2)}x raw${goal === 2 ? " (group commit)" : ""} (issue 17)`,
        measured: `${fmt(r.ratio)}x`,
        met: (r.ratio ?? 0) >= goal,
      });
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
