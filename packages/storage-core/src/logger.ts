/**
 * The subset of pino's interface core logs through: pass a pino logger (or `console`-like object
 * with these methods) and it just works. Silent by default.
 */
export interface Logger {
  debug(object: object, message?: string): void;
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

export const silentLogger: Logger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});

/** One finished storage call, reported to `onOperation` and logged at debug (or warn on failure). */
export interface OperationEvent {
  /** The storage's name from configuration (or the adapter name). */
  storage: string;
  adapter: string;
  operation:
    | "save"
    | "get"
    | "delete"
    | "exists"
    | "saveMany"
    | "search"
    | "export"
    | "close"
    | "recordChanges"
    | "readChanges"
    | "acknowledgeChanges"
    | "pendingChanges"
    | "claimChanges";
  durationMs: number;
  ok: boolean;
  /** The uuid, for single-document operations. */
  uuid?: string;
  /** Documents written or read, for batch, search and export. */
  count?: number;
  /** The error code, when `ok` is false. */
  code?: string;
}
