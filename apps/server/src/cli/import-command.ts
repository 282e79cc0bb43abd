import { type PreparedVcon, prepareVcon } from "@vcon/storage-core";
import { findJsonSyntaxProblem } from "../http/json-text.js";
import { StorageFailure } from "../storages/outcome.js";
import type { StorageSet } from "../storages/storage-set.js";
import { outcomeText } from "./output.js";
import { Progress } from "./progress.js";
import { measureSource, readSource, type SourceItem } from "./sources.js";

export interface ImportOptions {
  /** vCons per write (and per `saveMany` call). */
  batch: number;
  /** Aborted by Ctrl-C: the batch being written finishes, nothing more is read. */
  signal?: AbortSignal;
}

export interface ImportSummary {
  imported: number;
  failed: number;
  /** uuids that appeared more than once in the source; the last copy is the one stored. */
  repeated: number;
  /** Set when a storage failed and the import stopped early. */
  stoppedBy?: string;
  /** Set when the import was interrupted: documents read but not written. */
  interrupted?: { notWritten: number };
}

interface Pending {
  prepared: PreparedVcon;
  bytes: number;
  /** Earlier copies of the same uuid in this batch, replaced by this one. */
  superseded: number;
}

/**
 * Streams a source into every write storage, `batch` documents at a time, so memory stays bounded
 * (plus one entry per distinct uuid, to report repeats). A bad document is counted and reported, and
 * the import goes on; a storage failure stops it. A uuid seen again replaces its earlier copy: within
 * a batch only the last copy is written, across batches the later write replaces the earlier one.
 */
export async function importVcons(
  storages: StorageSet,
  source: string,
  options: ImportOptions,
): Promise<ImportSummary> {
  const measured = await measureSource(source);
  const progress = new Progress("imported", measured ? { totalBytes: measured.bytes } : {});
  const seen = new Set<string>();
  const repeated = new Set<string>();
  let chunk = new Map<string, Pending>();
  let stoppedBy: string | undefined;

  const flush = async () => {
    if (chunk.size === 0) return;
    const pending = chunk;
    chunk = new Map();
    const entries = [...pending.values()];
    const count = entries.reduce((sum, p) => sum + 1 + p.superseded, 0);
    const bytes = entries.reduce((sum, p) => sum + p.bytes, 0);
    try {
      await storages.savePrepared(entries.map((p) => p.prepared));
      progress.add(count, 0, bytes);
    } catch (error) {
      progress.add(0, count, bytes);
      const outcomes = error instanceof StorageFailure ? error.outcomes : [];
      const detail = outcomes.map((o) => `${o.storage}: ${outcomeText(o)}`).join("; ");
      stoppedBy = `${(error as Error).message}${detail ? ` (${detail})` : ""}`;
    }
  };

  for await (const item of readSource(source, options.signal)) {
    if (options.signal?.aborted) break;
    if (item.text === "") {
      progress.add(0, 0, item.bytes);
      continue;
    }
    const prepared = prepare(item);
    if (prepared === null) {
      progress.add(0, 1, item.bytes);
      continue;
    }
    const { uuid } = prepared;
    if (seen.has(uuid)) repeated.add(uuid);
    else seen.add(uuid);
    const earlier = chunk.get(uuid);
    // Re-inserted at the end: the batch holds each uuid once, its last copy.
    chunk.delete(uuid);
    chunk.set(uuid, {
      prepared,
      bytes: item.bytes + (earlier?.bytes ?? 0),
      superseded: earlier ? earlier.superseded + 1 : 0,
    });
    if (chunk.size >= options.batch) await flush();
    if (stoppedBy) break;
  }
  const interrupted = options.signal?.aborted === true;
  const notWritten = interrupted ? [...chunk.values()].reduce((sum, p) => sum + 1 + p.superseded, 0) : 0;
  if (!stoppedBy && !interrupted) await flush();
  if (stoppedBy) process.stderr.write(`stopped: ${stoppedBy}\n`);

  const extra: string[] = [];
  if (repeated.size > 0)
    extra.push(
      `${repeated.size} uuid${repeated.size === 1 ? "" : "s"} appeared twice or more; the last copy was kept`,
    );
  if (interrupted)
    extra.push(
      `interrupted: the ${progress.done} imported are stored in every write storage; ${notWritten} read after the last write were not written`,
    );
  progress.finish(extra);
  return {
    imported: progress.done,
    failed: progress.failed,
    repeated: repeated.size,
    ...(stoppedBy ? { stoppedBy } : {}),
    ...(interrupted ? { interrupted: { notWritten } } : {}),
  };
}

/** The document checked by core's rules (once), or null with the reason printed. Its text is stored as is. */
function prepare(item: SourceItem): PreparedVcon | null {
  try {
    return prepareVcon(item.text);
  } catch (error) {
    process.stderr.write(`failed ${item.where}: ${problemOf(item.text, error)}\n`);
    return null;
  }
}

/** Why a document was refused; for bad JSON, where it breaks (the parser's own message quotes the text). */
function problemOf(text: string, error: unknown): string {
  const syntax = findJsonSyntaxProblem(text);
  if (syntax) return `not JSON: line ${syntax.line}, column ${syntax.column}: expected ${syntax.expected}`;
  const issues = (error as { issues?: { path: string; message: string }[] }).issues ?? [];
  return issues.length > 0
    ? issues.map((i) => `${i.path}: ${i.message}`).join("; ")
    : (error as Error).message;
}
