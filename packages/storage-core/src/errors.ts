import { scrubSecrets } from "./secrets.js";

/**
 * The stable error codes. They are part of the public API: a code is never renamed or removed
 * within a major version, and new codes arrive only in a major version.
 */
export const ErrorCodes = {
  /** Bad input or bad options. Nothing was written. */
  VALIDATION: "VALIDATION",
  /** The adapter does not declare the capability that was called. */
  NOT_SUPPORTED: "NOT_SUPPORTED",
  /** The backend is unreachable, timed out or refused the credentials. Retryable. */
  UNAVAILABLE: "UNAVAILABLE",
  /** The write conflicts with the stored state. */
  CONFLICT: "CONFLICT",
  /** The storage was used after `close()`. */
  CLOSED: "CLOSED",
  /** Anything else: a bug or an unexpected backend answer. */
  INTERNAL: "INTERNAL",
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** One problem found in an input, located by a JSON path such as `$.parties[0].tel`. */
export interface ValidationIssue {
  path: string;
  message: string;
}

export interface StorageErrorOptions {
  cause?: unknown;
  retryable?: boolean;
  /** Secrets to mask in this error's message and its cause. */
  secrets?: readonly string[];
}

/** The one error family every adapter throws. Check `code`, never the message. */
export class StorageError extends Error {
  readonly code: ErrorCode;
  /** True when the same call may succeed if tried again later. */
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: StorageErrorOptions = {}) {
    const secrets = options.secrets ?? [];
    super(scrubSecrets(message, secrets));
    this.name = "StorageError";
    this.code = code;
    this.retryable = options.retryable ?? code === "UNAVAILABLE";
    // So that narrowing by code to ValidationError holds for a plain StorageError("VALIDATION") too.
    if (code === "VALIDATION") {
      Object.defineProperty(this, "issues", {
        value: [],
        enumerable: false,
        writable: true,
        configurable: true,
      });
    }
    if (options.cause !== undefined) {
      // A driver error can carry connection strings or passwords: keep a scrubbed copy.
      Object.defineProperty(this, "cause", {
        value: safeCause(options.cause, secrets),
        enumerable: false,
        writable: true,
        configurable: true,
      });
    }
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, retryable: this.retryable };
  }
}

export class ValidationError extends StorageError {
  readonly issues: readonly ValidationIssue[];

  constructor(message: string, issues: readonly ValidationIssue[] = [], options: StorageErrorOptions = {}) {
    const detail = issues.length > 0 ? `: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}` : "";
    super("VALIDATION", `${message}${detail}`, { ...options, retryable: false });
    this.name = "ValidationError";
    this.issues = issues;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues };
  }
}

export class NotSupportedError extends StorageError {
  constructor(message: string) {
    super("NOT_SUPPORTED", message, { retryable: false });
    this.name = "NotSupportedError";
  }
}

export class UnavailableError extends StorageError {
  constructor(message: string, options: StorageErrorOptions = {}) {
    super("UNAVAILABLE", message, { retryable: true, ...options });
    this.name = "UnavailableError";
  }
}

export class ConflictError extends StorageError {
  constructor(message: string, options: StorageErrorOptions = {}) {
    super("CONFLICT", message, { retryable: false, ...options });
    this.name = "ConflictError";
  }
}

export class ClosedError extends StorageError {
  constructor(message = "The storage is closed: create a new one to go on.") {
    super("CLOSED", message, { retryable: false });
    this.name = "ClosedError";
  }
}

export class InternalError extends StorageError {
  constructor(message: string, options: StorageErrorOptions = {}) {
    super("INTERNAL", message, { retryable: false, ...options });
    this.name = "InternalError";
  }
}

/** The class each code's errors have: what `isStorageError(error, code)` narrows to. */
export interface StorageErrorOf {
  VALIDATION: ValidationError;
  NOT_SUPPORTED: NotSupportedError;
  UNAVAILABLE: UnavailableError;
  CONFLICT: ConflictError;
  CLOSED: ClosedError;
  INTERNAL: InternalError;
}

/**
 * True when `error` is a StorageError (optionally with the given code), across package copies too.
 * With a code it narrows to that code's class, so `isStorageError(e, "VALIDATION")` gives `e.issues`
 * (every VALIDATION error core makes carries `issues`, possibly empty).
 */
export function isStorageError<C extends ErrorCode>(error: unknown, code: C): error is StorageErrorOf[C];
export function isStorageError(error: unknown, code?: ErrorCode): error is StorageError;
export function isStorageError(error: unknown, code?: ErrorCode): error is StorageError {
  if (error instanceof StorageError) return code === undefined || error.code === code;
  // Two installed copies of core each have their own class: fall back to the shape.
  const candidate = error as { code?: unknown; retryable?: unknown } | null;
  const shaped =
    typeof candidate === "object" &&
    candidate !== null &&
    error instanceof Error &&
    typeof candidate.retryable === "boolean" &&
    typeof candidate.code === "string" &&
    candidate.code in ErrorCodes;
  return shaped && (code === undefined || candidate.code === code);
}

/** How deep a driver error's own `cause` chain is copied: drivers wrap once or twice, never more. */
const MAX_CAUSE_DEPTH = 4;

/**
 * An Error that keeps the driver's diagnostic fields (code, errno, ...) and its own cause, but none of
 * its secrets. A StorageError was scrubbed when it was made: with no further secrets to mask it is kept
 * as it is, so a BatchError's cause is still the chunk's StorageError, with the driver's error under it.
 */
function safeCause(cause: unknown, secrets: readonly string[], depth = 0): unknown {
  if (!(cause instanceof Error)) {
    return typeof cause === "string" ? scrubSecrets(cause, secrets) : cause;
  }
  if (secrets.length === 0 && isStorageError(cause)) return cause;
  const copy = new Error(scrubSecrets(cause.message, secrets));
  copy.name = cause.name;
  if (cause.stack) copy.stack = scrubSecrets(cause.stack, secrets);
  for (const key of ["code", "errno", "syscall", "severity", "detail", "hint", "routine", "constraint"]) {
    const value = (cause as unknown as Record<string, unknown>)[key];
    if (typeof value === "string" || typeof value === "number") {
      (copy as unknown as Record<string, unknown>)[key] =
        typeof value === "string" ? scrubSecrets(value, secrets) : value;
    }
  }
  if (cause.cause !== undefined && depth < MAX_CAUSE_DEPTH) {
    copy.cause = safeCause(cause.cause, secrets, depth + 1);
  }
  return copy;
}
