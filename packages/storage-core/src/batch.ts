/**
 * saveMany's batch rules, apart from the facade: every document is checked before any is written,
 * chunks are cut by count and by bytes, a uuid given twice in a chunk is written once (the last body),
 * and a failing chunk reports the chunks that landed before it.
 */
import { DEFAULT_LIMITS, type DocumentLimits, type PreparedVcon, prepareOnce } from "./document.js";
import { isStorageError, StorageError, ValidationError, type ValidationIssue } from "./errors.js";

/** A range of input positions, `start` inclusive, `end` exclusive. */
export interface ChunkRange {
  start: number;
  end: number;
}

/** Thrown by `saveMany` when a chunk fails: the chunks in `landed` are stored, nothing after them is. */
export class BatchError extends StorageError {
  readonly landed: readonly ChunkRange[];
  readonly failed: ChunkRange;

  constructor(cause: StorageError, landed: ChunkRange[], failed: ChunkRange) {
    super(cause.code, `Batch save stopped at items ${failed.start}-${failed.end - 1}: ${cause.message}`, {
      cause,
      retryable: cause.retryable,
    });
    this.name = "BatchError";
    this.landed = landed;
    this.failed = failed;
    // A chunk refused as invalid keeps its issues, so narrowing on "VALIDATION" still finds them.
    if (isStorageError(cause, "VALIDATION")) {
      Object.defineProperty(this, "issues", { value: cause.issues, enumerable: false, writable: true });
    }
  }
}

/** At most this many issues are listed: a batch of broken documents must not make a huge error. */
const MAX_BATCH_ISSUES = 100;

/**
 * Checks every vCon of a batch, as `saveMany` does before writing anything: the prepared vCons in input
 * order, or one VALIDATION error listing the problems of all of them, located as `$[index].path`.
 * Already prepared vCons (from `prepareVcon` or an earlier `prepareBatch`) are not checked again.
 */
export function prepareBatch(
  vcons: readonly unknown[],
  limits: Partial<DocumentLimits> = DEFAULT_LIMITS,
): PreparedVcon[] {
  if (!Array.isArray(vcons)) {
    throw new ValidationError("saveMany takes an array of vCons", [{ path: "$", message: "not an array" }]);
  }
  const full = { ...DEFAULT_LIMITS, ...limits };
  const prepared: PreparedVcon[] = [];
  const issues: ValidationIssue[] = [];
  // A for loop, not forEach: a hole in a sparse array is a missing vCon to refuse, not one to skip.
  for (let index = 0; index < vcons.length; index++) {
    try {
      prepared.push(prepareOnce(vcons[index], full));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      for (const issue of error.issues)
        issues.push({ ...issue, path: issue.path.replace(/^\$/, `$[${index}]`) });
    }
  }
  if (issues.length > 0)
    throw new ValidationError("Batch rejected, nothing was written", issues.slice(0, MAX_BATCH_ISSUES));
  return prepared;
}

/** 64 MiB of JSON per chunk unless the adapter says otherwise: large recordings make small chunks. */
export const DEFAULT_BATCH_BYTES = 64 * 1024 * 1024;

/** Documents per chunk unless the caller or the adapter's `maxBatchSize` asks for fewer. */
export const DEFAULT_BATCH_SIZE = 1000;

/** The chunk size to use: the caller's request capped by the adapter's. Throws VALIDATION on a bad request. */
export function chunkSizeFor(requested: number | undefined, adapterCap: number | undefined): number {
  const cap = adapterCap ?? DEFAULT_BATCH_SIZE;
  if (requested === undefined) return cap;
  if (!Number.isInteger(requested) || requested < 1) {
    throw new ValidationError("Invalid saveMany options", [
      { path: "options.chunkSize", message: "expected a positive integer" },
    ]);
  }
  return Math.min(requested, cap);
}

/** Consecutive ranges of at most `maxCount` documents and `maxBytes` of JSON (at least one document each). */
export function chunkRanges(
  prepared: readonly PreparedVcon[],
  maxCount: number,
  maxBytes: number,
): ChunkRange[] {
  const ranges: ChunkRange[] = [];
  let start = 0;
  let bytes = 0;
  prepared.forEach((vcon, index) => {
    const full = index - start >= maxCount || (index > start && bytes + vcon.bytes > maxBytes);
    if (full) {
      ranges.push({ start, end: index });
      start = index;
      bytes = 0;
    }
    bytes += vcon.bytes;
  });
  if (start < prepared.length) ranges.push({ start, end: prepared.length });
  return ranges;
}

/** A uuid given twice in one chunk is written once, with its last body: upsert semantics. */
export function latestPerUuid(chunk: readonly PreparedVcon[]): readonly PreparedVcon[] {
  const byUuid = new Map<string, PreparedVcon>();
  for (const vcon of chunk) {
    byUuid.delete(vcon.uuid);
    byUuid.set(vcon.uuid, vcon);
  }
  return byUuid.size === chunk.length ? chunk : [...byUuid.values()];
}

/**
 * Writes prepared vCons chunk by chunk with `write`, in order, stopping at the first failure with a
 * BatchError that lists the chunks that landed. `toError` classifies what `write` threw.
 */
export async function writeInChunks(
  prepared: readonly PreparedVcon[],
  sizes: { maxCount: number; maxBytes: number },
  write: (chunk: readonly PreparedVcon[]) => Promise<void>,
  toError: (error: unknown) => StorageError,
): Promise<ChunkRange[]> {
  const landed: ChunkRange[] = [];
  for (const range of chunkRanges(prepared, sizes.maxCount, sizes.maxBytes)) {
    try {
      await write(latestPerUuid(prepared.slice(range.start, range.end)));
    } catch (error) {
      throw new BatchError(toError(error), landed, range);
    }
    landed.push(range);
  }
  return landed;
}
