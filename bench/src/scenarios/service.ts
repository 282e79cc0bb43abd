import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { compareSides } from "../compare.js";
import { makeDocs } from "../documents.js";
import { runWorkers } from "../measure.js";
import { type BackendCpu, backendCpu, backendCpuBetween, processCpuMs } from "../process-cpu.js";
import { type CpuPerOp, ratioOf, type ScenarioResult, type TargetCheck } from "../results.js";
import type { Scale } from "../scale.js";
import { databaseUrl, recreateDatabases } from "../targets/pg-admin.js";
import type { Side } from "../targets/target.js";
import { newSeries } from "./series.js";

/** The service's built CLI (`pnpm --filter @vcon/example-server build`), or BENCH_SERVICE_CLI. */
const SERVICE_CLI =
  process.env.BENCH_SERVICE_CLI ??
  fileURLToPath(new URL("../../../apps/server/dist/cli.js", import.meta.url));
const TARGET = "service";
/** An HTTP round trip is ~1 ms: enough operations per round that a 10% difference is above the noise. */
const SERVICE_LIMITS = {
  quick: { maxOps: 600, maxMs: 1500, rounds: 2 },
  full: { maxOps: 5000, maxMs: 4000, rounds: 3 },
} as const;

export interface ServiceBenchSettings {
  scale: Scale;
  /** The primary's database; without one the service runs on memory (the journal's cost shows more). */
  postgresUrl: string;
  redisUrl: string;
  workDir: string;
  seed: number;
}

interface RunningService {
  url: string;
  pid: number | undefined;
  /** The primary's database (null with a memory primary). */
  database: string | null;
  stop(): Promise<void>;
}

/** After the measured rounds, how long the replicated side is left to deliver what they wrote. */
const SETTLE_MS = 1500;

/** A replicated variant: its replicas, and where writes keep the replicas' entries. */
interface Variant {
  replicas: readonly string[];
  /** `replication.changeLog`: `auto` is the shipped default (the primary's change log where it has one). */
  changeLog: "auto" | "off";
}

const VARIANTS: readonly Variant[] = [
  // memory: replication's own cost (delivering costs next to nothing);
  // file, file + Redis: what a deployment pays, delivery work on the same cores included.
  { replicas: ["memory"], changeLog: "auto" },
  { replicas: ["file"], changeLog: "auto" },
  { replicas: ["file", "redis"], changeLog: "auto" },
  // The journal in series with the primary's commit, for comparison (not a target).
  { replicas: ["file"], changeLog: "off" },
];

/**
 * A save (POST /vcons, 2 KB) through the real service over HTTP: the primary alone (the baseline,
 * "raw"), against the same kind of primary with one replica and with two. Each variant is its own
 * `vcon-server serve` process on its own database (a change log turned on for one table must not tax
 * the baseline's writes).
 */
export async function runServiceSaves(
  settings: ServiceBenchSettings,
  report: (result: ScenarioResult) => void,
): Promise<void> {
  if (!existsSync(SERVICE_CLI)) {
    console.error(`service not measured: ${SERVICE_CLI} is missing (build apps/server first)`);
    return;
  }
  const alone = await startService(settings, "alone", { replicas: [], changeLog: "auto" });
  try {
    for (const variant of VARIANTS) {
      const { replicas } = variant;
      const journaled = variant.changeLog === "off" ? ", journal before the primary" : "";
      const label = `${replicas.length} replica${replicas.length > 1 ? "s" : ""} (${replicas.join(" + ")}${journaled})`;
      const replicated = await startService(settings, variantName(variant), variant);
      try {
        const services: Record<Side, RunningService> = { raw: alone, adapter: replicated };
        for (const concurrency of settings.scale.concurrency) {
          const { rounds, ...limits } = SERVICE_LIMITS[settings.scale.name];
          await post(services.raw, settings, concurrency, 50);
          await post(services.adapter, settings, concurrency, 50);
          const before = { raw: cpuNow(services.raw), adapter: cpuNow(services.adapter) };
          const sides = await compareSides(rounds, (side) =>
            post(services[side], settings, concurrency, limits.maxOps, limits.maxMs),
          );
          // The replicas trail the primary: their delivery of the last round's writes counts too.
          await sleep(SETTLE_MS);
          const cpuMsPerOp = {
            raw: perOp(before.raw, cpuNow(services.raw), sides.raw.ops),
            adapter: perOp(before.adapter, cpuNow(services.adapter), sides.adapter.ops),
          };
          report({
            target: TARGET,
            scenario: `save via HTTP (${label} vs primary alone)`,
            size: "2KB",
            concurrency,
            unit: "ops/s",
            ...sides,
            ratio: ratioOf(sides.raw, sides.adapter),
            cpuMsPerOp,
            note: `primary ${settings.postgresUrl ? "postgres" : "memory"}; replicas ${replicas.join(" + ")}; changeLog ${variant.changeLog}`,
          });
        }
      } finally {
        await replicated.stop();
      }
    }
  } finally {
    await alone.stop();
  }
}

/**
 * "The journal adds at most 10% at concurrency 16": replicated throughput ≥ 0.90× the primary alone,
 * for the service as shipped (the comparison row with the journal before the primary is no target).
 */
export function serviceChecks(results: readonly ScenarioResult[]): TargetCheck[] {
  return results
    .filter((r) => r.target === TARGET && r.concurrency === 16 && !r.note?.includes("changeLog off"))
    .map((r) => ({
      target: TARGET,
      goal: `${r.scenario}, concurrency 16: journal adds <= 10% (>= 0.90x)`,
      measured: `${r.ratio === null ? "n/a" : r.ratio.toFixed(2)}x`,
      met: (r.ratio ?? 0) >= 0.9,
    }));
}

/** What a service and the backends serving its database had used so far. */
interface CpuReading {
  service: number | null;
  backends: BackendCpu | null;
}

function cpuNow(service: RunningService): CpuReading {
  return {
    service: processCpuMs(service.pid),
    backends: service.database === null ? null : backendCpu(service.database),
  };
}

function perOp(before: CpuReading, after: CpuReading, ops: number): CpuPerOp {
  const per = (ms: number | null) => (ms === null || ops === 0 ? null : ms / ops);
  return {
    service: per(before.service === null || after.service === null ? null : after.service - before.service),
    postgres: per(backendCpuBetween(before.backends, after.backends)),
  };
}

async function post(
  service: RunningService,
  settings: ServiceBenchSettings,
  concurrency: number,
  maxOps: number,
  maxMs = 60_000,
) {
  const bodies = makeDocs("2KB", settings.seed, newSeries(), maxOps).map((d) => JSON.stringify(d.vcon));
  return runWorkers(concurrency, { maxOps, maxMs }, async (i) => {
    const response = await fetch(`${service.url}/vcons`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: bodies[i]!,
    });
    await response.arrayBuffer();
    if (response.status !== 201) throw new Error(`POST /vcons answered ${response.status}`);
  });
}

function variantName(variant: Variant): string {
  return `${variant.replicas.join("_")}${variant.changeLog === "off" ? "_journal" : ""}`;
}

async function startService(
  settings: ServiceBenchSettings,
  name: string,
  { replicas, changeLog }: Variant,
): Promise<RunningService> {
  const dir = join(settings.workDir, `service-${name}`);
  mkdirSync(dir, { recursive: true });
  let primary = "  primary:\n    adapter: memory\n";
  let database: string | null = null;
  if (settings.postgresUrl) {
    database = `vcon_bench_service_${name}`;
    await recreateDatabases(settings.postgresUrl, [database]);
    primary = `  primary:\n    adapter: postgres\n    options:\n      url: ${databaseUrl(settings.postgresUrl, database)}\n`;
  }
  const replicaConfig = replicas
    .map((kind) =>
      kind === "memory"
        ? "  copy:\n    adapter: memory\n"
        : kind === "file"
          ? `  archive:\n    adapter: file\n    options:\n      directory: ${join(dir, "archive")}\n`
          : `  cache:\n    adapter: redis\n    options:\n      url: ${settings.redisUrl}\n      keyPrefix: "bench-service:${name}:"\n`,
    )
    .join("");
  const config = join(dir, "vcon-server.yaml");
  writeFileSync(
    config,
    `storages:\n${primary}${replicaConfig}replication:\n  journal: ${join(dir, "journal.sqlite")}\n  changeLog: ${changeLog}\n`,
  );
  const child = spawn(process.execPath, [SERVICE_CLI, "--config", config, "serve"], {
    cwd: dir,
    // info: the "listening" line tells the URL; both sides log the same access lines.
    env: { ...process.env, PORT: "0", LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return waitForListening(child, database);
}

function waitForListening(child: ChildProcess, database: string | null): Promise<RunningService> {
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the service did not start:\n${output}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      // Access logs from here on are not read: keep the pipes drained.
      child.stdout?.removeListener("data", onData);
      child.stderr?.removeListener("data", onData);
      child.stdout?.resume();
      child.stderr?.resume();
      resolve({
        url: match[1]!,
        pid: child.pid,
        database,
        stop: async () => {
          if (child.exitCode !== null) return;
          const exited = new Promise((done) => child.once("exit", done));
          child.kill("SIGTERM");
          await exited;
        },
      });
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the service exited with ${code}:\n${output}`));
    });
  });
}
