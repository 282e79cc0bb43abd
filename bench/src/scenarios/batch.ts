import { compareSides } from "../compare.js";
import { type BenchDoc, makeDocs } from "../documents.js";
import { type RunStats, runWorkers } from "../measure.js";
import { ratioOf, type ScenarioResult } from "../results.js";
import type { Scale } from "../scale.js";
import type { Target } from "../targets/target.js";
import type { Workload, WorkloadPair } from "../workload.js";
import { newSeries } from "./series.js";

/**
 * Batch save of N x 2 KB into an emptied store. At concurrency c the same N documents are split into
 * c parts written at once (raw: c COPY streams; adapter: c saveMany calls). Throughput is documents/s.
 */
export async function runBatch(
  target: Target,
  pair: WorkloadPair,
  scale: Scale,
  seed: number,
  report: (result: ScenarioResult) => void,
): Promise<void> {
  const docs = makeDocs("2KB", seed, newSeries(), target.counts.batch);
  for (const concurrency of scale.concurrency) {
    const parts = split(docs, concurrency);
    const sides = await compareSides(scale.rounds, (side) => timedBatch(pair[side], parts));
    report({
      target: target.name,
      scenario: `batch save (${docs.length.toLocaleString("en-US")} docs)`,
      size: "2KB",
      concurrency,
      unit: "docs/s",
      documents: docs.length,
      ...sides,
      ratio: ratioOf(sides.raw, sides.adapter),
    });
  }
}

async function timedBatch(workload: Workload, parts: BenchDoc[][]): Promise<RunStats> {
  await workload.clear();
  const stats = await runWorkers(
    parts.length,
    { maxOps: parts.length, maxMs: Number.POSITIVE_INFINITY },
    (i) => workload.saveBatch(parts[i]!),
  );
  // Counted in documents, so throughput reads as documents per second; latencies stay per call.
  return { ...stats, ops: parts.reduce((n, p) => n + p.length, 0) };
}

function split<T>(items: readonly T[], parts: number): T[][] {
  const size = Math.ceil(items.length / parts);
  return Array.from({ length: parts }, (_, i) => items.slice(i * size, (i + 1) * size)).filter(
    (p) => p.length > 0,
  );
}
