import { type ErrorCode, isStorageError, scrubSecrets } from "@vcon/storage-core";

/** What one storage did with one request. Every configured storage involved appears, failed or not. */
export interface StorageOutcome {
  storage: string;
  ok: boolean;
  /** Documents written (saves) or whether a document was removed (deletes). */
  saved?: number;
  deleted?: boolean;
  /** A replica's part of a write: entries durably queued in the journal, delivered in the background. */
  queued?: number;
  code?: ErrorCode;
  message?: string;
}

/** One or more storages failed: carries every storage's outcome so none is silently skipped. */
export class StorageFailure extends Error {
  readonly code: ErrorCode;
  readonly outcomes: readonly StorageOutcome[];

  constructor(message: string, outcomes: readonly StorageOutcome[]) {
    super(message);
    this.name = "StorageFailure";
    this.outcomes = outcomes;
    this.code = overallCode(outcomes);
  }
}

/** An outage anywhere makes the whole request an outage (retryable); otherwise the first failure's code. */
function overallCode(outcomes: readonly StorageOutcome[]): ErrorCode {
  const failed = outcomes.filter((o) => !o.ok);
  if (failed.some((o) => o.code === "UNAVAILABLE" || o.code === "CLOSED")) return "UNAVAILABLE";
  return failed[0]?.code ?? "INTERNAL";
}

/** A failed outcome, its message cleaned of secrets. Errors that are not StorageErrors count as INTERNAL. */
export function failedOutcome(storage: string, error: unknown, secrets: readonly string[]): StorageOutcome {
  const code: ErrorCode = isStorageError(error) ? error.code : "INTERNAL";
  const message = error instanceof Error ? error.message : String(error);
  return { storage, ok: false, code, message: scrubSecrets(message, secrets) };
}
