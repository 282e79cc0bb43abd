import {
  ClosedError,
  toStorageError as classify,
  InternalError,
  type StorageError,
  UnavailableError,
  ValidationError,
} from "@vcon/storage-core/adapter";

export interface ErrorContext {
  /** The database file, as configured. */
  path: string;
  table: string;
}

/**
 * Turns a better-sqlite3 error into core's typed errors, each naming the cause and the fix.
 * Codes: https://www.sqlite.org/rescode.html (better-sqlite3 puts the extended code in `code`).
 */
export function toStorageError(error: unknown, context: ErrorContext): StorageError {
  return classify(error, {
    storage: `SQLite ${context.path}`,
    map: (driverError) => sqliteError(driverError, context),
  });
}

/** What better-sqlite3's result codes mean for the caller, and the fix. */
function sqliteError(error: unknown, context: ErrorContext): StorageError | undefined {
  const { code = "", message = String(error) } = (error ?? {}) as { code?: string; message?: string };
  const options = { cause: error };
  const at = context.path;
  if (/database connection is not open/i.test(message)) return new ClosedError();
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return new UnavailableError(
      `SQLite database ${at} is locked by another writer (${code}): try again, or raise busyTimeoutMs if writers often wait longer.`,
      options,
    );
  }
  if (code.startsWith("SQLITE_CANTOPEN") || (error as { code?: string }).code === "EACCES") {
    return new UnavailableError(
      `Cannot open SQLite database ${at} (${code}): check that the folder exists and this process may read and write it (and its -wal and -shm files).`,
      { ...options, retryable: false },
    );
  }
  if (
    code.startsWith("SQLITE_READONLY") ||
    code.startsWith("SQLITE_PERM") ||
    code.startsWith("SQLITE_AUTH")
  ) {
    return new UnavailableError(
      `SQLite database ${at} is read-only for this process (${code}): give it write permission on the file and its folder.`,
      { ...options, retryable: false },
    );
  }
  if (code.startsWith("SQLITE_FULL") || code.startsWith("SQLITE_IOERR")) {
    return new UnavailableError(
      `SQLite could not write ${at} (${code}): check free disk space and the disk.`,
      options,
    );
  }
  if (code.startsWith("SQLITE_NOTADB") || code.startsWith("SQLITE_CORRUPT")) {
    return new InternalError(
      `${at} is not a usable SQLite database (${code}): point options.path at a vCon database, or restore it from a backup.`,
      { ...options },
    );
  }
  if (code.startsWith("SQLITE_TOOBIG")) {
    return new ValidationError(
      "vCon too large for SQLite",
      [{ path: "$", message: "larger than SQLite's SQLITE_MAX_LENGTH" }],
      options,
    );
  }
  return undefined;
}
