import {
  toStorageError as classify,
  InternalError,
  isNetworkError,
  isStorageError,
  type Logger,
  type StorageError,
  UnavailableError,
  ValidationError,
} from "@vcon/storage-core/adapter";
import { NAME } from "./name.js";

interface PgError {
  code?: string;
  message?: string;
}

const INSUFFICIENT_PRIVILEGE = "42501";

export interface ErrorContext {
  /** `host:port/database` (never the password) for messages. */
  target: string;
  /** Secrets to scrub from messages and causes. */
  secrets: readonly string[];
  qualifiedTable: string;
}

/**
 * Turns a driver error into core's typed errors, each naming the cause and the fix: core's classifier
 * (StorageErrors pass through, what nobody recognises is INTERNAL) with PostgreSQL's own cases first.
 */
export function toStorageError(error: unknown, context: ErrorContext): StorageError {
  return classify(error, {
    storage: NAME,
    secrets: context.secrets,
    map: (cause) => postgresError(cause, context),
  });
}

/**
 * PostgreSQL's errors by SQLSTATE (https://www.postgresql.org/docs/current/errcodes-appendix.html) and its
 * driver's connection failures, each with the fix; undefined for what core classifies by itself.
 */
function postgresError(error: unknown, context: ErrorContext): StorageError | undefined {
  const { code = "", message = String(error) } = (error ?? {}) as PgError;
  const options = { cause: error, secrets: context.secrets };
  if (code === "28P01" || code === "28000") {
    return new UnavailableError(
      `PostgreSQL at ${context.target} refused the credentials (${code}): check the user and password (options.password or POSTGRES_PASSWORD) and pg_hba.conf.`,
      { ...options, retryable: false },
    );
  }
  if (code === "3D000") {
    return new UnavailableError(
      `Database missing at ${context.target} (3D000): create it (CREATE DATABASE) or fix options.database / POSTGRES_DB.`,
      { ...options, retryable: false },
    );
  }
  if (code === "42P01" || code === "3F000") {
    return new UnavailableError(
      `Table ${context.qualifiedTable} does not exist at ${context.target}: run the migrations with a role that has DDL rights (migrate(), \`vcon-storage-postgres migrate\`, or your application's migrate command, such as \`vcon-server migrate\`), or enable autoMigrate.`,
      { ...options, retryable: false },
    );
  }
  if (code === INSUFFICIENT_PRIVILEGE) {
    return new UnavailableError(
      `Permission denied on ${context.qualifiedTable} at ${context.target} (42501): grant SELECT, INSERT, UPDATE, DELETE to this role, and run migrations with a role that owns the schema.`,
      { ...options, retryable: false },
    );
  }
  if (
    isNetworkError(error) ||
    code.startsWith("08") ||
    code === "57P01" ||
    code === "57P02" ||
    code === "57P03" ||
    code === "53300"
  ) {
    return new UnavailableError(
      `PostgreSQL at ${context.target} is unavailable: ${message}. Check that the server is running and accepts connections at that host and port (options.url, host, port); the pool reconnects by itself once it does.`,
      options,
    );
  }
  // "not queryable": pg's answer on a client whose connection already broke.
  if (
    /timeout|terminated|Connection terminated|ECONNRESET|not queryable/i.test(message) ||
    code === "57014"
  ) {
    return new UnavailableError(`PostgreSQL at ${context.target} timed out: ${message}`, options);
  }
  if (code.startsWith("22")) {
    return new ValidationError(`PostgreSQL rejected the data (${code})`, [{ path: "$", message }], options);
  }
  // A SQLSTATE names a server-side failure worth showing as such; anything else is core's INTERNAL.
  return /^[0-9A-Z]{5}$/.test(code)
    ? new InternalError(`PostgreSQL error ${code}: ${message}`, options)
    : undefined;
}

/** True for the server's "permission denied" (42501), before or after mapping. */
export function isPermissionDenied(error: unknown): boolean {
  const cause = isStorageError(error) ? error.cause : error;
  return (cause as PgError | undefined)?.code === INSUFFICIENT_PRIVILEGE;
}

/**
 * The one way driver errors leave the adapter: every call's promise goes through `guard`, which
 * maps a rejection to a `StorageError` (see `toStorageError`) and logs its code at debug level.
 */
export class ErrorFunnel {
  readonly #context: ErrorContext;
  readonly #logger: Logger;

  constructor(context: ErrorContext, logger: Logger) {
    this.#context = context;
    this.#logger = logger;
  }

  /** `promise`, with a driver error turned into a StorageError. */
  guard<T>(promise: Promise<T>): Promise<T> {
    return promise.then(undefined, this.#fail);
  }

  /** The StorageError for a driver error (for code that catches it itself, such as a stream). */
  map(error: unknown): StorageError {
    const mapped = toStorageError(error, this.#context);
    this.#logger.debug({ adapter: NAME, code: mapped.code, err: mapped }, "postgres error");
    return mapped;
  }

  /** Made once, so hot paths pass the same function to `then`. */
  readonly #fail = (error: unknown): never => {
    throw this.map(error);
  };
}
