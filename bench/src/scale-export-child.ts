/**
 * Runs in a fresh process so the RSS it reports is the export's alone: exports the whole table of
 * the database at argv[2] through the adapter and prints what it measured (one JSON line).
 */
import { fromAdapter } from "@vcon/storage-core";
import { PostgresAdapter } from "@vcon/storage-postgres";
import { reportToParent } from "./child-json.js";
import { measurePeakRss } from "./measure.js";

export interface ScaleExportOutcome {
  count: number;
  wallMs: number;
  /** Peak RSS during the export minus the RSS when it started. */
  peakRssGrowthMb: number;
  /** The process's peak RSS during the export. */
  peakRssMb: number;
}

async function main(url: string): Promise<ScaleExportOutcome> {
  const storage = fromAdapter(await PostgresAdapter.connect({ url, poolSize: 2, statementTimeoutMs: 0 }));
  try {
    (globalThis as { gc?: () => void }).gc?.();
    const startRss = process.memoryUsage.rss();
    const started = performance.now();
    const { result, peakRssGrowthMb } = await measurePeakRss(async () => {
      let count = 0;
      for await (const _ of storage.export()) count++;
      return count;
    });
    return {
      count: result,
      wallMs: performance.now() - started,
      peakRssGrowthMb,
      peakRssMb: startRss / (1024 * 1024) + peakRssGrowthMb,
    };
  } finally {
    await storage.close();
  }
}

reportToParent(main(process.argv[2]!));
