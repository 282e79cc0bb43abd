import { runJsonChild } from "../child-json.js";
import { compareSides } from "../compare.js";
import { telOf } from "../documents.js";
import type { ExportJob, ExportOutcome } from "../export-child.js";
import { runWorkers, type Summary, summarize } from "../measure.js";
import { ratioOf, type ScenarioResult } from "../results.js";
import type { TargetSettings } from "../targets/settings.js";
import type { Side, Target } from "../targets/target.js";
import type { WorkloadPair } from "../workload.js";
import { loadDataset } from "./dataset.js";
import { DATASET_SERIES } from "./series.js";

export interface SearchExportOutput {
  plan: { query: string; plan: string } | null;
}

/** Loads the dataset into both sides, then searches by tel and exports everything. */
export async function runSearchAndExport(
  target: Target,
  pair: WorkloadPair,
  settings: TargetSettings,
  seed: number,
  report: (result: ScenarioResult) => void,
): Promise<SearchExportOutput> {
  const scale = settings.scale;
  const documents = target.counts.dataset;
  await pair.raw.clear();
  await pair.adapter.clear();
  await loadDataset([pair.raw, pair.adapter], seed, documents);
  await pair.raw.afterBulkLoad?.();
  await pair.adapter.afterBulkLoad?.();
  const size = "2KB";
  const common = { target: target.name, size, documents };

  // A spread of stored customers: each tel matches exactly one document.
  const tel = (i: number) => telOf(DATASET_SERIES, (i * 7919) % documents);
  const search = (side: Side, concurrency: number) =>
    runWorkers(concurrency, scale.search, async (i) => {
      const found = await pair[side].searchTel!(tel(i));
      if (found !== 1) throw new Error(`${side} search for ${tel(i)} found ${found}, expected 1`);
    });
  for (const concurrency of scale.concurrency) {
    const row = { ...common, scenario: "search by tel", concurrency, unit: "ops/s" as const };
    if (!pair.adapter.searchTel) {
      report({ ...row, raw: null, adapter: null, ratio: null, note: "the adapter does not support search" });
    } else if (!pair.raw.searchTel) {
      const adapter = summarize([await search("adapter", concurrency)]);
      report({
        ...row,
        raw: null,
        adapter,
        ratio: null,
        note: "no raw equivalent (the raw client has no search)",
      });
    } else {
      const sides = await compareSides(scale.rounds, (side) => search(side, concurrency));
      report({ ...row, ...sides, ratio: ratioOf(sides.raw, sides.adapter) });
    }
  }
  const probe = telOf(DATASET_SERIES, Math.floor(documents / 2));
  const plan = target.explainSearch
    ? { query: `search({ tel: "${probe}" })`, plan: await target.explainSearch(pair.adapter, probe) }
    : null;

  const exportable = { raw: Boolean(pair.raw.exportRange), adapter: Boolean(pair.adapter.exportRange) };
  // Export children reopen the stores; embedded ones (PGlite) allow a single owner, so let go first.
  await pair.raw.close();
  await pair.adapter.close();
  for (const concurrency of scale.concurrency) {
    const outcomes: Record<Side, ExportOutcome | null> = { raw: null, adapter: null };
    const order: Side[] = concurrency === scale.concurrency[0] ? ["raw", "adapter"] : ["adapter", "raw"];
    for (const side of order.filter((side) => exportable[side])) {
      outcomes[side] = await exportInChild({
        target: target.name,
        settings,
        side,
        concurrency,
        seed,
        documents,
      });
      if (outcomes[side].count !== documents) {
        throw new Error(
          `${side} export of ${target.name} returned ${outcomes[side].count} of ${documents} documents`,
        );
      }
    }
    const raw = exportSummary(outcomes.raw);
    const adapter = exportSummary(outcomes.adapter);
    report({
      ...common,
      scenario: `full export (${documents.toLocaleString("en-US")} docs)`,
      concurrency,
      unit: "docs/s",
      raw,
      adapter,
      ratio: ratioOf(raw, adapter),
      peakRssGrowthMb: {
        raw: outcomes.raw?.peakRssGrowthMb ?? null,
        adapter: outcomes.adapter?.peakRssGrowthMb ?? null,
      },
      note: [
        concurrency === 1
          ? "sequential: one export of the whole range"
          : `parallel: ${concurrency} exports at once, each of 1/${concurrency} of the range`,
        ...(exportable.raw && exportable.adapter ? [] : ["export not supported by one side"]),
      ].join("; "),
    });
  }
  return { plan };
}

function exportSummary(outcome: ExportOutcome | null): Summary | null {
  if (!outcome) return null;
  return {
    ops: outcome.count,
    opsPerSec: (outcome.count * 1000) / outcome.wallMs,
    p50Ms: Number.NaN,
    p99Ms: Number.NaN,
  };
}

/** Runs one export in a fresh Node process and returns what it measured. */
function exportInChild(job: ExportJob): Promise<ExportOutcome> {
  return runJsonChild<ExportOutcome>("export-child", JSON.stringify(job)).catch((error: unknown) => {
    throw new Error(`export child for ${job.target}/${job.side} failed: ${String(error)}`);
  });
}
