import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { postgresChecks } from "./checks.js";
import { describeMachine } from "./machine.js";
import { postgresServer } from "./postgres-server.js";
import { progressLine, resultsName, writeResults } from "./report.js";
import type { BenchReport, ScenarioResult } from "./results.js";
import { scaleFromEnv } from "./scale.js";
import { runBatch } from "./scenarios/batch.js";
import { runSearchAndExport } from "./scenarios/search-export.js";
import { runServiceSaves, serviceChecks } from "./scenarios/service.js";
import { runSingleOps } from "./scenarios/single-ops.js";
import { createTarget, TARGET_NAMES } from "./targets/index.js";
import type { TargetSettings } from "./targets/settings.js";
import type { Target } from "./targets/target.js";
import type { Workload, WorkloadPair } from "./workload.js";

const SEED = Number(process.env.BENCH_SEED ?? 20_251_128);

async function main(): Promise<void> {
  const scale = scaleFromEnv(process.env.BENCH_SCALE);
  const every = [...TARGET_NAMES, "service"];
  const chosen = (process.env.BENCH_ADAPTERS ?? every.join(","))
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean);
  // A run of some targets only writes partial-<names>.*: latest.* stays the last full run.
  const resultsFile = resultsName(chosen, every);
  // "service": saves through the example service with replicas (not an adapter target).
  const benchService = chosen.includes("service");
  const names = chosen.filter((n) => n !== "service");
  const outDir = process.env.BENCH_OUT ?? fileURLToPath(new URL("../results/", import.meta.url));
  const workDir = mkdtempSync(join(tmpdir(), "vcon-bench-"));
  const needsServer = names.includes("postgres") || benchService;
  const server = needsServer ? await postgresServer() : null;
  const settings: TargetSettings = {
    scale,
    postgresUrl: server?.url ?? "",
    redisUrl: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    workDir,
  };
  const report: BenchReport = {
    startedAt: new Date().toISOString(),
    finishedAt: "",
    scale: scale.name,
    machine: describeMachine(server ? { postgres: server.version } : {}),
    targets: [],
    results: [],
    plans: [],
    checks: [],
  };
  const record = (result: ScenarioResult) => {
    report.results.push(result);
    console.log(progressLine(result));
  };
  try {
    for (const name of names) {
      const target = createTarget(name, settings);
      const info: BenchReport["targets"][number] = {
        name,
        adapter: target.adapter,
        baseline: target.baseline,
      };
      report.targets.push(info);
      let pair: WorkloadPair | null = null;
      try {
        await target.setup();
        const top = Math.max(...scale.concurrency);
        pair = await openPair(target, top, info);
        if (pair) {
          await runSingleOps(target, pair, scale, SEED, record);
          await runBatch(target, pair, scale, SEED, record);
          const { plan } = await runSearchAndExport(target, pair, settings, SEED, record);
          if (plan) report.plans.push({ target: name, ...plan });
        }
      } catch (error) {
        info.error = (error as Error).message;
        console.error(`${name} failed:`, error);
      } finally {
        await pair?.raw.close().catch(() => {});
        await pair?.adapter.close().catch(() => {});
        await target.teardown().catch(() => {});
      }
      writeResults(report, outDir, resultsFile);
    }
    if (benchService) {
      const service = {
        scale,
        postgresUrl: settings.postgresUrl,
        redisUrl: settings.redisUrl,
        workDir,
        seed: SEED,
      };
      await runServiceSaves(service, record).catch((error: unknown) => {
        report.targets.push({
          name: "service",
          adapter: "vcon-server",
          baseline: "primary alone",
          error: String(error),
        });
        console.error("service failed:", error);
      });
    }
  } finally {
    await server?.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
  const plan = report.plans.find((p) => p.target === "postgres")?.plan ?? null;
  report.checks = [...postgresChecks(report.results, plan), ...serviceChecks(report.results)];
  writeResults(report, outDir, resultsFile);
  const missed = report.checks.filter((c) => !c.met);
  for (const c of missed) console.log(`TARGET MISSED: ${c.goal}: ${c.measured}`);
  console.log(`Results: ${join(outDir, `${resultsFile}.md`)} and ${resultsFile}.json`);
  if (report.targets.some((t) => t.error)) process.exitCode = 1;
}

/**
 * Opens both sides. An adapter that cannot be opened (not installed or not built yet) is reported as
 * not measured instead of failing the other targets; errors during the scenarios do fail the run.
 */
async function openPair(target: Target, concurrency: number, info: BenchReport["targets"][number]) {
  const raw = closeOnce(await target.open("raw", concurrency));
  try {
    return { raw, adapter: closeOnce(await target.open("adapter", concurrency)) };
  } catch (error) {
    info.skipped = `the adapter could not be opened: ${(error as Error).message}`;
    console.error(`${target.name} not measured: ${info.skipped}`);
    await raw.close();
    return null;
  }
}

/** Lets the runner close a side that a scenario already closed. */
function closeOnce(workload: Workload): Workload {
  let closing: Promise<void> | null = null;
  return { ...workload, close: () => (closing ??= workload.close()) };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
