/**
 * One classifier for what drivers throw, so every adapter and core's facade map errors the same way:
 * a StorageError passes through, a socket-level failure is a retryable UNAVAILABLE, anything else is
 * INTERNAL. Adapters put their driver's own codes (SQLSTATEs, Redis replies) in `map`, tried first.
 */
import { InternalError, isStorageError, type StorageError, UnavailableError } from "./errors.js";

/**
 * Node's (and undici's) codes for "the backend could not be reached or dropped the connection".
 * Driver errors that wrap one (in `cause`, or in an AggregateError's `errors` from Happy Eyeballs)
 * count too.
 */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "ENETRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
]);

/** How deep `cause` / `errors` chains are followed: drivers wrap once or twice, never more. */
const MAX_WRAPPING = 4;

/** True for Node's socket-level failures (also when wrapped): the backend could not be reached. */
export function isNetworkError(error: unknown): boolean {
  return networkErrorIn(error, 0);
}

function networkErrorIn(error: unknown, depth: number): boolean {
  if (typeof error !== "object" || error === null || depth > MAX_WRAPPING) return false;
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === "string" && NETWORK_ERROR_CODES.has(code)) return true;
  if (Array.isArray(errors) && errors.some((inner) => networkErrorIn(inner, depth + 1))) return true;
  return networkErrorIn(cause, depth + 1);
}

export interface ClassifyOptions {
  /** The storage's (or adapter's) name, shown in messages: `Storage "primary" is unreachable: ...`. */
  storage: string;
  /**
   * The driver's own mapping, tried first: return a StorageError for errors you recognise (a SQLSTATE,
   * a Redis reply), or `undefined` to fall through to the network check and INTERNAL.
   */
  map?: (error: unknown) => StorageError | undefined;
  /** Literal secrets (a password, an API key) to mask in the message and the kept cause. */
  secrets?: readonly string[];
}

/**
 * Turns anything thrown into a StorageError: StorageErrors pass through unchanged, then `map`, then
 * socket-level failures become a retryable UNAVAILABLE, and everything else INTERNAL. The original
 * error is kept as `cause`, scrubbed of passwords.
 */
export function toStorageError(error: unknown, options: ClassifyOptions): StorageError {
  if (isStorageError(error)) return error;
  const mapped = options.map?.(error);
  if (mapped !== undefined) return mapped;
  const secrets = options.secrets ?? [];
  const detail = error instanceof Error ? error.message : String(error);
  if (isNetworkError(error)) {
    return new UnavailableError(`Storage "${options.storage}" is unreachable: ${detail}`, {
      cause: error,
      secrets,
    });
  }
  return new InternalError(`Storage "${options.storage}" failed: ${detail}`, { cause: error, secrets });
}
