import {
  isStorageError,
  StorageError,
  scrubSecrets,
  ValidationError,
  type ValidationIssue,
} from "@vcon/storage-core";

/**
 * The same failure with the storage's name in front and secrets masked. A `StorageError` stays one,
 * with its code, retryable flag and issues, so an embedder can tell an outage (`UNAVAILABLE`,
 * retryable) from a bad configuration (`VALIDATION`); anything else becomes `INTERNAL`.
 */
export function renameFailure(error: unknown, prefix: string, secrets: readonly string[]): StorageError {
  const message = `${prefix}: ${scrubSecrets(error instanceof Error ? error.message : String(error), secrets)}`;
  const renamed =
    error instanceof ValidationError
      ? new ValidationError(prefix, error.issues, { cause: error, secrets })
      : isStorageError(error)
        ? new StorageError(error.code, prefix, { cause: error, retryable: error.retryable, secrets })
        : new StorageError("INTERNAL", prefix, { cause: error, retryable: false, secrets });
  // The original message already names the issues: keep it as written, after the prefix.
  renamed.message = message;
  return renamed;
}

/**
 * A ValidationError's message ends with its issues (`...: path: message; path: message`); where the
 * issues are shown on their own, this is the message without them, so each problem is said once.
 */
export function withoutIssueText(message: string, issues: readonly ValidationIssue[] | undefined): string {
  if (!issues || issues.length === 0) return message;
  const detail = `: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`;
  return message.endsWith(detail) ? message.slice(0, -detail.length) : message;
}
