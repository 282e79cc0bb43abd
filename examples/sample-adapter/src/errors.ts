// src/errors.ts
import { type StorageError, toStorageError, UnavailableError } from "@vcon/storage-core/adapter";

/** File-system conditions that pass: a full disk, too many open files, a file locked for a moment. */
const TRANSIENT = new Set(["ENOSPC", "EMFILE", "ENFILE", "EBUSY", "EAGAIN"]);

/**
 * Core's one classifier, with this backend's own codes first: transient file-system errors are
 * retryable UNAVAILABLE; sockets would be UNAVAILABLE and anything else INTERNAL, as for every adapter.
 */
export function fileError(error: unknown, path: string): StorageError {
  return toStorageError(error, {
    storage: "jsonl",
    map: (cause) => {
      const code = (cause as NodeJS.ErrnoException).code;
      if (code === undefined || !TRANSIENT.has(code)) return undefined;
      return new UnavailableError(`Cannot use ${path} right now (${code})`, { cause });
    },
  });
}
