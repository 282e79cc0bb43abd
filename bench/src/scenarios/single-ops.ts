import { compareSides } from "../compare.js";
import { type BenchDoc, DOC_SIZES, type DocSize, makeDocs } from "../documents.js";
import { type RunLimits, runWorkers } from "../measure.js";
import { SeededRandom } from "../random.js";
import { ratioOf, type ScenarioResult } from "../results.js";
import type { Scale } from "../scale.js";
import type { Side, Target } from "../targets/target.js";
import type { WorkloadPair } from "../workload.js";
import { newSeries } from "./series.js";

/** save (new uuid), save (existing uuid), get (existing), get (missing): each size, each concurrency. */
export async function runSingleOps(
  target: Target,
  pair: WorkloadPair,
  scale: Scale,
  seed: number,
  report: (result: ScenarioResult) => void,
): Promise<void> {
  for (const size of DOC_SIZES) {
    for (const concurrency of scale.concurrency) {
      const limits = scale.single[size];
      const row = (scenario: string, sides: Awaited<ReturnType<typeof compareSides>>) =>
        report({
          target: target.name,
          scenario,
          size,
          concurrency,
          unit: "ops/s",
          ...sides,
          ratio: ratioOf(sides.raw, sides.adapter),
        });
      await warmUp(pair, size, seed, concurrency, limits);

      const stored: Record<Side, BenchDoc[]> = { raw: [], adapter: [] };
      row(
        "save (new uuid)",
        await compareSides(scale.rounds, async (side) => {
          const docs = makeDocs(size, seed, newSeries(), limits.maxOps);
          const stats = await runWorkers(concurrency, limits, (i) => pair[side].save(docs[i]!));
          stored[side].push(...docs.slice(0, stats.ops));
          return stats;
        }),
      );
      row(
        "save (existing uuid)",
        await compareSides(scale.rounds, (side) =>
          runWorkers(concurrency, limits, (i) => pair[side].save(stored[side][i % stored[side].length]!)),
        ),
      );
      row(
        "get (existing uuid)",
        await compareSides(scale.rounds, (side) =>
          runWorkers(concurrency, limits, async (i) => {
            const doc = stored[side][i % stored[side].length]!;
            if ((await pair[side].get(doc.uuid)) === null) throw new Error(`${side} lost ${doc.uuid}`);
          }),
        ),
      );
      const random = new SeededRandom(seed + newSeries());
      const missing = Array.from({ length: 1000 }, () => random.uuid());
      // A miss reads no document, so every size gets the small-document operation count.
      const missLimits = { ...limits, maxOps: Math.max(limits.maxOps, scale.single["2KB"].maxOps) };
      row(
        "get (missing uuid)",
        await compareSides(scale.rounds, (side) =>
          runWorkers(concurrency, missLimits, async (i) => {
            if ((await pair[side].get(missing[i % missing.length]!)) !== null)
              throw new Error(`${side} found a ghost`);
          }),
        ),
      );
    }
  }
}

/** A short untimed run per side: connections opened, statements prepared, JIT warm. */
async function warmUp(
  pair: WorkloadPair,
  size: DocSize,
  seed: number,
  concurrency: number,
  limits: RunLimits,
) {
  const warm = { maxOps: Math.max(concurrency, Math.ceil(limits.maxOps / 10)), maxMs: limits.maxMs / 4 };
  for (const side of ["raw", "adapter"] as const) {
    const docs = makeDocs(size, seed, newSeries(), warm.maxOps);
    await runWorkers(concurrency, warm, (i) => pair[side].save(docs[i]!));
    await runWorkers(concurrency, warm, (i) => pair[side].get(docs[i % docs.length]!.uuid));
  }
}
