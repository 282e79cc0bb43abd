import { once } from "node:events";
import { createWriteStream } from "node:fs";
import type { Writable } from "node:stream";
import type { StorageSet } from "../storages/storage-set.js";
import { Progress } from "./progress.js";

export interface ExportCommandOptions {
  out?: string;
  storage?: string;
  since?: string;
  until?: string;
}

/** Writes every vCon as one JSON line, to `--out` or stdout, waiting for the writer so memory stays bounded. */
export async function exportVcons(storages: StorageSet, options: ExportCommandOptions): Promise<number> {
  const range = {
    ...(options.since ? { since: options.since } : {}),
    ...(options.until ? { until: options.until } : {}),
  };
  const documents = storages.export(range, options.storage);
  const output: Writable = options.out ? createWriteStream(options.out) : process.stdout;
  const progress = new Progress("exported");
  try {
    for await (const document of documents) {
      if (!output.write(`${JSON.stringify(document)}\n`)) await once(output, "drain");
      progress.add(1);
    }
  } finally {
    if (options.out) {
      output.end();
      await once(output, "finish");
    }
    progress.finish();
  }
  return progress.done;
}
