import {
  toStorageError as classify,
  type StorageError,
  scrubSecrets,
  UnavailableError,
} from "@vcon/storage-core/adapter";
import { NAME } from "./options.js";

/**
 * What ioredis itself says when it cannot reach or keep a server. Socket errors carry a Node errno code,
 * which core's classifier reads; these do not.
 */
const CLIENT_UNREACHABLE =
  /Connection is closed|Stream isn't writeable|enableOfflineQueue|max retries|MaxRetriesPerRequest|timed out|None of startup nodes is available|Failed to refresh slots cache|ClusterAllFailedError/i;

/** Replies of a server that is up but refuses this client's credentials. */
const REFUSED_CREDENTIALS =
  /^(NOAUTH|WRONGPASS)|invalid (username-password|password)|AUTH .*without any password/i;

/** Replies of a server (or cluster) that may serve the same call a little later. */
const BUSY = /^(OOM|LOADING|BUSY|MASTERDOWN|TRYAGAIN|READONLY|CLUSTERDOWN)\b/;

/**
 * Turns whatever ioredis threw into a StorageError whose message holds no password: Redis replies and
 * ioredis's own connection messages here, then core's classifier (socket errors UNAVAILABLE, the rest
 * INTERNAL).
 */
export function toStorageError(error: unknown, secrets: readonly string[]): StorageError {
  return classify(error, { storage: NAME, secrets, map: (e) => fromRedis(e, secrets) });
}

function fromRedis(error: unknown, secrets: readonly string[]): StorageError | undefined {
  const raw = error instanceof Error ? error.message : String(error);
  const message = scrubSecrets(raw, secrets);
  const options = { cause: error, secrets };
  if (CLIENT_UNREACHABLE.test(raw)) return new UnavailableError(`Redis is unreachable: ${message}`, options);
  if (REFUSED_CREDENTIALS.test(raw)) {
    return new UnavailableError(
      `Redis refused the credentials: ${message}; check the URL's user and password`,
      {
        ...options,
        retryable: false,
      },
    );
  }
  if (/^NOPERM\b/.test(raw)) {
    return new UnavailableError(
      `Redis refused the command to this user (ACL): ${message}; check its key and command rules`,
      {
        ...options,
        retryable: false,
      },
    );
  }
  if (/Protocol error/i.test(raw)) {
    return new UnavailableError(
      `The server at the Redis URL does not speak the Redis protocol (${message}): check the host and port`,
      { ...options, retryable: false },
    );
  }
  if (BUSY.test(raw)) return new UnavailableError(`Redis cannot serve the call now: ${message}`, options);
  return undefined;
}
