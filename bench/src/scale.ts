import type { DocSize } from "./documents.js";
import type { RunLimits } from "./measure.js";

export type ScaleName = "quick" | "full";

/** How much work each scenario does. `full` has the counts; `quick` is a smoke run. */
export interface Scale {
  name: ScaleName;
  /** Rounds per side; sides alternate raw, adapter, adapter, raw, ... to cancel drift. */
  rounds: number;
  single: Record<DocSize, RunLimits>;
  /** Documents in the batch-save scenario. */
  batch: number;
  /** Documents stored for search and export on the main server target. */
  dataset: number;
  /** Documents stored for search and export on slower or in-process targets. */
  smallDataset: number;
  search: RunLimits;
  concurrency: readonly number[];
}

export const SCALES: Record<ScaleName, Scale> = {
  full: {
    name: "full",
    rounds: 3,
    single: {
      "2KB": { maxOps: 3000, maxMs: 700 },
      "50KB": { maxOps: 600, maxMs: 700 },
      "1MB": { maxOps: 40, maxMs: 1200 },
    },
    batch: 10_000,
    dataset: 100_000,
    smallDataset: 20_000,
    search: { maxOps: 2000, maxMs: 1500 },
    concurrency: [1, 16],
  },
  quick: {
    name: "quick",
    rounds: 1,
    single: {
      "2KB": { maxOps: 50, maxMs: 200 },
      "50KB": { maxOps: 20, maxMs: 200 },
      "1MB": { maxOps: 4, maxMs: 300 },
    },
    batch: 500,
    dataset: 1000,
    smallDataset: 500,
    search: { maxOps: 50, maxMs: 200 },
    concurrency: [1, 16],
  },
};

export function scaleFromEnv(value: string | undefined): Scale {
  const name = (value ?? "full").toLowerCase();
  if (name !== "quick" && name !== "full")
    throw new Error(`BENCH_SCALE must be quick or full, got "${value}"`);
  return SCALES[name];
}
