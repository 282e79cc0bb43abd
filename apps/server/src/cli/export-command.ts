import { type FileHandle, open } from "node:fs/promises";
import { dirname } from "node:path";
import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { SearchQuery, VconDocument } from "@vcon/storage-core";
import type { StorageSet } from "../storages/storage-set.js";
import { Progress } from "./progress.js";

export interface ExportCommandOptions {
  out?: string;
  storage?: string;
  since?: string;
  until?: string;
  /** Only vCons whose searchable text holds this (search's `text`). */
  text?: string;
  /** Only vCons with every one of these tags (search's `tag`). */
  tag?: string[];
}

/** Where an export writes: a file opened before any storage is, or stdout. */
export interface ExportOutput {
  stream: Writable;
  /** A file (ended when the export ends) rather than stdout (left open). */
  file: boolean;
}

/**
 * Opens `--out` before anything else, so a path that cannot be written fails at once with the reason
 * instead of after the storages opened (or with a stream error nobody waits for).
 */
export async function openExportOutput(out: string | undefined): Promise<ExportOutput> {
  if (out === undefined) return { stream: process.stdout, file: false };
  let handle: FileHandle;
  try {
    handle = await open(out, "w");
  } catch (error) {
    throw new Error(`cannot write ${out}: ${openProblem(error as NodeJS.ErrnoException, out)}`);
  }
  return { stream: handle.createWriteStream(), file: true };
}

function openProblem(error: NodeJS.ErrnoException, path: string): string {
  switch (error.code) {
    case "ENOENT":
      return `the folder ${dirname(path)} does not exist`;
    case "EISDIR":
      return "it is a directory; name a file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EROFS":
      return "the file system is read-only";
    case "ENOTDIR":
      return "a part of the path is not a folder";
    default:
      return error.code ?? error.message;
  }
}

/**
 * Writes every vCon (or, with `text`/`tag`, every match of a search) as one JSON line, pacing reads
 * to the writer so memory stays bounded. A reader that goes away (`export | head`) ends the export
 * quietly: what it read was complete lines.
 */
export async function exportVcons(
  storages: StorageSet,
  options: ExportCommandOptions,
  output: ExportOutput,
): Promise<number> {
  const query = exportQuery(options);
  const filtered = query.text !== undefined || query.tag !== undefined;
  const documents = filtered
    ? searchAll(storages, query)
    : storages.export(
        { ...(query.since ? { since: query.since } : {}), ...(query.until ? { until: query.until } : {}) },
        options.storage,
        // The primary failed before its first vCon: a replica (possibly behind) exports instead.
        (storage, failure) =>
          process.stderr.write(`warn: exporting from ${storage}: the primary failed (${failure.code})\n`),
      );
  const progress = new Progress("exported");
  async function* lines() {
    for await (const document of documents) {
      yield `${JSON.stringify(document)}\n`;
      progress.add(1);
    }
  }
  const source = lines();
  try {
    await pipeline(Readable.from(source), output.stream, { end: output.file });
  } catch (error) {
    if (!isClosedReader(error)) throw error;
    // Wait for the storage's export to wind down before the storages are closed under it.
    await source.return(undefined);
  } finally {
    progress.finish();
  }
  return progress.done;
}

/** The export's filters as a search query (dates, text, tags). */
export function exportQuery(options: ExportCommandOptions): SearchQuery {
  return {
    ...(options.since ? { since: options.since } : {}),
    ...(options.until ? { until: options.until } : {}),
    ...(options.text !== undefined ? { text: options.text } : {}),
    ...(options.tag?.length ? { tag: options.tag } : {}),
  };
}

/** A search walked page by page, for exports filtered by text or tags (the first search storage). */
async function* searchAll(storages: StorageSet, query: SearchQuery): AsyncGenerator<VconDocument> {
  let cursor: string | null = null;
  do {
    const { page } = await storages.search({ ...query, limit: 1000, ...(cursor ? { cursor } : {}) });
    yield* page.items;
    cursor = page.nextCursor;
  } while (cursor);
}

/** The reading end closed (`| head`): EPIPE on the write, or the stream torn down by it. */
function isClosedReader(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === "EPIPE" || code === "ERR_STREAM_PREMATURE_CLOSE" || code === "ERR_STREAM_DESTROYED";
}
