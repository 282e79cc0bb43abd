import {
  InternalError,
  isStorageError,
  type StorageError,
  UnavailableError,
  ValidationError,
} from "@vcon/storage-core/adapter";

/** The errno code of a Node filesystem error (`ENOENT`, ...), if it has one. */
export function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** The path (or a part of it) does not exist: a missing vCon, not a failure. */
export function isMissing(error: unknown): boolean {
  const code = codeOf(error);
  return code === "ENOENT" || code === "ENOTDIR";
}

export function notADirectory(directory: string, why: string): ValidationError {
  return new ValidationError("File storage directory is not a directory", [
    { path: "directory", message: `${directory}: ${why}` },
  ]);
}

/** A stored file that is not the vCon its name promises. */
export function corrupt(path: string, detail: string): InternalError {
  return new InternalError(
    `File storage: ${path} is not a stored vCon (${detail}); repair or remove the file`,
  );
}

/** Errors the operator must fix (owner, mode, mount): retrying will not help. */
const PERMISSION = new Set(["EACCES", "EPERM", "EROFS"]);
/** Errors of a full, busy or failing disk: a later retry may succeed. */
const TRANSIENT = new Set(["ENOSPC", "EDQUOT", "EMFILE", "ENFILE", "EIO", "EBUSY", "EAGAIN", "ESTALE"]);

/** A filesystem failure as a StorageError naming the path. */
export function fsError(error: unknown, action: string, path: string): StorageError {
  if (isStorageError(error)) return error;
  const code = codeOf(error) ?? "unknown";
  const message = `File storage could not ${action} ${path} (${code}: ${(error as Error)?.message ?? error})`;
  if (PERMISSION.has(code)) {
    return new UnavailableError(`${message}: check the directory's owner, mode and mount`, {
      cause: error,
      retryable: false,
    });
  }
  if (TRANSIENT.has(code)) return new UnavailableError(message, { cause: error });
  return new InternalError(message, { cause: error });
}
