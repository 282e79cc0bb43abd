import { prepareVcon } from "@vcon/storage-core";
import { StorageFailure } from "../storages/outcome.js";
import type { StorageSet } from "../storages/storage-set.js";
import { outcomeText } from "./output.js";
import { Progress } from "./progress.js";
import { readSource, type SourceItem } from "./sources.js";

export interface ImportOptions {
  /** vCons per write (and per `saveMany` call). */
  batch: number;
}

export interface ImportSummary {
  imported: number;
  failed: number;
  /** Set when a storage failed and the import stopped early. */
  stoppedBy?: string;
}

/**
 * Streams a source into every write storage, `batch` documents at a time, so memory stays bounded.
 * A bad document is counted and reported, and the import goes on; a storage failure stops it.
 */
export async function importVcons(
  storages: StorageSet,
  source: string,
  options: ImportOptions,
): Promise<ImportSummary> {
  const progress = new Progress("imported");
  let chunk: { text: string; uuid: string }[] = [];
  let stoppedBy: string | undefined;

  const flush = async () => {
    if (chunk.length === 0) return;
    const pending = chunk;
    chunk = [];
    try {
      await storages.save(
        pending.map((p) => p.text),
        pending.map((p) => p.uuid),
      );
      progress.add(pending.length);
    } catch (error) {
      progress.add(0, pending.length);
      const outcomes = error instanceof StorageFailure ? error.outcomes : [];
      const detail = outcomes.map((o) => `${o.storage}: ${outcomeText(o)}`).join("; ");
      stoppedBy = `${(error as Error).message}${detail ? ` (${detail})` : ""}`;
    }
  };

  for await (const item of readSource(source)) {
    const prepared = prepare(item);
    if (prepared) chunk.push(prepared);
    else progress.add(0, 1);
    if (chunk.length >= options.batch) await flush();
    if (stoppedBy) break;
  }
  if (!stoppedBy) await flush();
  if (stoppedBy) process.stderr.write(`stopped: ${stoppedBy}\n`);
  progress.finish();
  return { imported: progress.done, failed: progress.failed, ...(stoppedBy ? { stoppedBy } : {}) };
}

/** Checks one document with core's rules; prints why it is skipped. The text is stored byte for byte. */
function prepare(item: SourceItem): { text: string; uuid: string } | null {
  try {
    return { text: item.text, uuid: prepareVcon(item.text).uuid };
  } catch (error) {
    const issues = (error as { issues?: { path: string; message: string }[] }).issues ?? [];
    const detail =
      issues.length > 0 ? issues.map((i) => `${i.path}: ${i.message}`).join("; ") : (error as Error).message;
    process.stderr.write(`failed ${item.where}: ${detail}\n`);
    return null;
  }
}
