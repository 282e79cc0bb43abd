import {
  ClosedError,
  toStorageError as classify,
  isNetworkError,
  type StorageError,
  UnavailableError,
  ValidationError,
} from "@vcon/storage-core/adapter";

interface MysqlError {
  code?: string;
  errno?: number;
  sqlState?: string;
  message?: string;
}

export interface ErrorContext {
  /** `host:port/database` (never the password) for messages. */
  target: string;
  /** Secrets to scrub from messages and causes. */
  secrets: readonly string[];
  table: string;
}

/** Errors a retry of the same transaction can get past: InnoDB chose this transaction as the victim. */
export function isDeadlock(error: unknown): boolean {
  const { errno } = (error ?? {}) as MysqlError;
  return errno === 1213 || errno === 1205;
}

/** Errors of a connection that is gone: the server went away, a socket failed, or the pool ended. */
const CONNECTION_LOST = new Set([
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
  "PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR",
  "PROTOCOL_ENQUEUE_AFTER_QUIT",
  "ER_SERVER_SHUTDOWN",
  "ER_CON_COUNT_ERROR",
  "ER_TOO_MANY_USER_CONNECTIONS",
  "ER_CONNECTION_KILLED",
  "ER_CLIENT_INTERACTION_TIMEOUT",
  "ETIMEDOUT",
]);

/**
 * Turns a mysql2 error into core's typed errors, each naming the cause and the fix. Codes:
 * https://mariadb.com/kb/en/mariadb-error-code-reference/ and MySQL's server error reference.
 */
export function toStorageError(error: unknown, context: ErrorContext): StorageError {
  return classify(error, {
    storage: `MySQL at ${context.target}`,
    secrets: context.secrets,
    map: (driverError) => mysqlError(driverError, context),
  });
}

/** The errors mysql2 and the server give that say more than core's generic classification. */
function mysqlError(error: unknown, context: ErrorContext): StorageError | undefined {
  const { code = "", errno, message = String(error) } = (error ?? {}) as MysqlError;
  const options = { cause: error, secrets: context.secrets };
  const at = context.target;
  if (/Pool is closed/i.test(message)) return new ClosedError();
  if (errno === 1045 || errno === 1044 || errno === 1698) {
    return new UnavailableError(
      `MySQL at ${at} refused the credentials (${code}): check the user and password (options.user / options.password, or MYSQL_USER / MYSQL_PASSWORD) and the user's host grants.`,
      { ...options, retryable: false },
    );
  }
  if (errno === 1049) {
    return new UnavailableError(
      `Database missing at ${at} (ER_BAD_DB_ERROR): create it (CREATE DATABASE) or fix options.database / MYSQL_DATABASE.`,
      { ...options, retryable: false },
    );
  }
  if (errno === 1146) {
    return new UnavailableError(
      `Table \`${context.table}\` does not exist at ${at}: run the migrations with a user that has DDL rights (the adapter's migrate(), or your application's migrate command), or enable autoMigrate.`,
      { ...options, retryable: false },
    );
  }
  if (errno === 1142 || errno === 1143 || errno === 1227) {
    return new UnavailableError(
      `Permission denied on \`${context.table}\` at ${at} (${code}): grant SELECT, INSERT, UPDATE, DELETE on it (and its _keys table) to this user, and run migrations with a user that may CREATE.`,
      { ...options, retryable: false },
    );
  }
  if (errno === 1153 || errno === 1301 || /max_allowed_packet/i.test(message)) {
    return new ValidationError(
      `MySQL at ${at} refused a statement larger than its max_allowed_packet: raise max_allowed_packet on the server, or store smaller vCons`,
      [{ path: "$", message: "larger than the server's max_allowed_packet" }],
      options,
    );
  }
  if (isDeadlock(error)) {
    return new UnavailableError(
      `MySQL at ${at} gave up on a lock (${code}) after retries: other writers hold the same rows; try again.`,
      options,
    );
  }
  if (errno === 1969 || errno === 3024 || errno === 1317 || /timeout|timed out/i.test(message)) {
    return new UnavailableError(
      `MySQL at ${at} timed out (${code || "timeout"}): raise statementTimeoutMs / connectTimeoutMs, or look for long-held locks.`,
      options,
    );
  }
  if (code === "HANDSHAKE_SSL_ERROR" || /ssl|tls|certificate/i.test(code)) {
    return new UnavailableError(
      `TLS to MySQL at ${at} failed (${code}): check options.ssl (ca, rejectUnauthorized) against the server's certificate.`,
      { ...options, retryable: false },
    );
  }
  if (isNetworkError(error) || CONNECTION_LOST.has(code) || errno === 2013 || errno === 2006) {
    return new UnavailableError(
      `MySQL at ${at} is unavailable (${code || "connection lost"}): check that the server is running and accepts connections at that host and port (options.url, host, port, or MYSQL_URL); the pool reconnects by itself once it does.`,
      options,
    );
  }
  if (errno === 1406 || errno === 1366 || errno === 1292) {
    return new ValidationError(`MySQL rejected the data (${code})`, [{ path: "$", message }], options);
  }
  return undefined;
}
