import { reportToParent } from "./child-json.js";
import { measurePeakRss } from "./measure.js";
import { exportRanges, loadDataset } from "./scenarios/dataset.js";
import { createTarget } from "./targets/index.js";
import type { TargetSettings } from "./targets/settings.js";
import type { Side } from "./targets/target.js";

/** What the parent sends to an export child process. */
export interface ExportJob {
  target: string;
  settings: TargetSettings;
  side: Side;
  concurrency: number;
  seed: number;
  documents: number;
}

export interface ExportOutcome {
  count: number;
  wallMs: number;
  peakRssGrowthMb: number;
}

/**
 * Runs in a fresh process so the RSS it reports is the export's alone: opens one side, (re)loads the
 * dataset when the store lives in memory, then exports it with `concurrency` range exports at once.
 */
async function main(job: ExportJob): Promise<ExportOutcome> {
  const target = createTarget(job.target, job.settings);
  const workload = await target.open(job.side, job.concurrency);
  try {
    if (!target.persistent) await loadDataset([workload], job.seed, job.documents);
    if (!workload.exportRange) throw new Error(`${job.side} of ${job.target} cannot export`);
    const exportRange = workload.exportRange;
    (globalThis as { gc?: () => void }).gc?.();
    const started = performance.now();
    const { result, peakRssGrowthMb } = await measurePeakRss(async () => {
      const counts = await Promise.all(
        exportRanges(job.documents, job.concurrency).map((r) => exportRange(r)),
      );
      return counts.reduce((a, b) => a + b, 0);
    });
    return { count: result, wallMs: performance.now() - started, peakRssGrowthMb };
  } finally {
    await workload.close();
  }
}

reportToParent(main(JSON.parse(process.argv[2]!) as ExportJob));
