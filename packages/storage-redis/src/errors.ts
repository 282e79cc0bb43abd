import {
  InternalError,
  isStorageError,
  type StorageError,
  scrubSecrets,
  UnavailableError,
} from "@vcon/storage-core";

/** Messages ioredis uses when the server cannot be reached or stops answering. */
const UNREACHABLE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|Connection is closed|Stream isn't writeable|enableOfflineQueue|max retries|MaxRetriesPerRequest|Command timed out|timed out/i;

/** Turns whatever ioredis threw into a StorageError whose message holds no password. */
export function toStorageError(error: unknown, secrets: readonly string[]): StorageError {
  if (isStorageError(error)) return error;
  const raw = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const message = scrubSecrets(raw, secrets);
  if (UNREACHABLE.test(raw) || (typeof code === "string" && UNREACHABLE.test(code))) {
    return new UnavailableError(`Redis is unreachable: ${message}`, { secrets });
  }
  return new InternalError(`Redis failed: ${message}`, { secrets });
}
