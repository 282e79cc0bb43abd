/** What one timed run of one side produced. */
export interface RunStats {
  ops: number;
  wallMs: number;
  /** Per-operation latencies in ms. */
  latencies: number[];
}

export interface Summary {
  ops: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

export interface RunLimits {
  /** Operations to run at most. */
  maxOps: number;
  /** Stop handing out new operations after this long (ms); operations in flight finish. */
  maxMs: number;
}

/**
 * Runs `op(i)` with `concurrency` workers pulling the next index until `maxOps` or `maxMs` is reached.
 * Throughput is completed operations over wall time, so it includes the cost of waiting on each other.
 */
export async function runWorkers(
  concurrency: number,
  limits: RunLimits,
  op: (index: number) => Promise<unknown>,
): Promise<RunStats> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const deadline = started + limits.maxMs;
  const worker = async () => {
    while (next < limits.maxOps && performance.now() < deadline) {
      const index = next++;
      const t0 = performance.now();
      await op(index);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ops: latencies.length, wallMs: performance.now() - started, latencies };
}

/** Merges the rounds of one side and computes throughput and percentiles. */
export function summarize(runs: readonly RunStats[]): Summary {
  const ops = runs.reduce((n, r) => n + r.ops, 0);
  const wallMs = runs.reduce((n, r) => n + r.wallMs, 0);
  const sorted = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  return {
    ops,
    opsPerSec: wallMs > 0 ? (ops * 1000) / wallMs : 0,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** Peak RSS growth while `body` runs, sampled every few ms, relative to the RSS when it starts. */
export async function measurePeakRss<T>(
  body: () => Promise<T>,
): Promise<{ result: T; peakRssGrowthMb: number }> {
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  try {
    const result = await body();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, peakRssGrowthMb: (peak - start) / (1024 * 1024) };
  } finally {
    clearInterval(timer);
  }
}
