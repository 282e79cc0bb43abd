import {
  InternalError,
  isNetworkError,
  isStorageError,
  type StorageError,
  scrubSecrets,
  UnavailableError,
} from "@vcon/storage-core";

/**
 * What ioredis itself says when it cannot reach or keep a server (socket errors carry a Node errno code,
 * which core's network-error check reads).
 */
const CLIENT_UNREACHABLE =
  /Connection is closed|Stream isn't writeable|enableOfflineQueue|max retries|MaxRetriesPerRequest|timed out|None of startup nodes is available|Failed to refresh slots cache|ClusterAllFailedError/i;

/** Replies of a server that is up but refuses this client's credentials. */
const REFUSED_CREDENTIALS =
  /^(NOAUTH|WRONGPASS)|invalid (username-password|password)|AUTH .*without any password/i;

/** Replies of a server (or cluster) that may serve the same call a little later. */
const BUSY = /^(OOM|LOADING|BUSY|MASTERDOWN|TRYAGAIN|READONLY|CLUSTERDOWN)\b/;

/** Turns whatever ioredis threw into a StorageError whose message holds no password. */
export function toStorageError(error: unknown, secrets: readonly string[]): StorageError {
  if (isStorageError(error)) return error;
  const raw = error instanceof Error ? error.message : String(error);
  const message = scrubSecrets(raw, secrets);
  if (isNetworkError(error) || CLIENT_UNREACHABLE.test(raw)) {
    return new UnavailableError(`Redis is unreachable: ${message}`, { secrets });
  }
  if (REFUSED_CREDENTIALS.test(raw)) {
    return new UnavailableError(
      `Redis refused the credentials: ${message}; check the URL's user and password`,
      {
        secrets,
        retryable: false,
      },
    );
  }
  if (/Protocol error/i.test(raw)) {
    return new UnavailableError(
      `The server at the Redis URL does not speak the Redis protocol (${message}): check the host and port`,
      { secrets, retryable: false },
    );
  }
  if (BUSY.test(raw)) return new UnavailableError(`Redis cannot serve the call now: ${message}`, { secrets });
  return new InternalError(`Redis failed: ${message}`, { secrets });
}
