import type { Summary } from "./measure.js";

/** One row of the results: the same work by the raw driver and by the adapter, in the same run. */
export interface ScenarioResult {
  target: string;
  scenario: string;
  /** Document size, for scenarios that use one. */
  size: string;
  concurrency: number;
  /** What `opsPerSec` counts: operations, or documents for batch and export. */
  unit: "ops/s" | "docs/s";
  raw: Summary | null;
  adapter: Summary | null;
  /** adapter / raw throughput; null when a side did not run. */
  ratio: number | null;
  /** Documents the scenario works over (stored for search/export, per batch for batch). */
  documents?: number;
  /** Peak RSS growth during export, MB, per side. */
  peakRssGrowthMb?: { raw: number | null; adapter: number | null };
  /** CPU time per operation, per side, of the processes doing the work (service scenarios). */
  cpuMsPerOp?: { raw: CpuPerOp; adapter: CpuPerOp };
  note?: string;
}

/** ms of CPU (user + system) per operation; null where the process could not be read. */
export interface CpuPerOp {
  /** The service process, its thread pool included (replicas' writes are delivered from it). */
  service: number | null;
  /** The PostgreSQL backends connected to the side's database (autovacuum not included). */
  postgres: number | null;
}

/** A target's target: a pass/fail line the report prints as measured. */
export interface TargetCheck {
  target: string;
  goal: string;
  measured: string;
  met: boolean;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  scale: string;
  machine: Record<string, string>;
  targets: Array<{ name: string; adapter: string; baseline: string; error?: string; skipped?: string }>;
  results: ScenarioResult[];
  plans: Array<{ target: string; query: string; plan: string }>;
  checks: TargetCheck[];
}

export function ratioOf(raw: Summary | null, adapter: Summary | null): number | null {
  if (!raw || !adapter || raw.opsPerSec === 0) return null;
  return adapter.opsPerSec / raw.opsPerSec;
}
