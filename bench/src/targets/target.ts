import type { Workload } from "../workload.js";

export type Side = "raw" | "adapter";

/** Per-target dataset sizes (the defaults come from the scale; slow backends lower them). */
export interface TargetCounts {
  batch: number;
  dataset: number;
}

/** One backend: its adapter, the raw client it is compared with, and how to reach both. */
export interface Target {
  /** Short name used by BENCH_ADAPTERS and in the results, e.g. "postgres". */
  readonly name: string;
  /** What the adapter side is. */
  readonly adapter: string;
  /** Exactly what the raw side does. */
  readonly baseline: string;
  readonly counts: TargetCounts;
  /** Whether stored data outlives the process (if not, the export child loads its own copy). */
  readonly persistent: boolean;
  /** Creates fresh, empty stores for both sides (drops what a previous run left). */
  setup(): Promise<void>;
  /** Opens one side; called in the main process and again in export child processes. */
  open(side: Side, concurrency: number): Promise<Workload>;
  /** The query plan of the adapter's tel search, when the backend has one. */
  explainSearch?(adapter: Workload, tel: string): Promise<string>;
  /** Releases what setup created (servers, temp dirs). */
  teardown(): Promise<void>;
}
