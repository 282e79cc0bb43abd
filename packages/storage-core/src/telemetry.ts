/**
 * What the facade tells the outside about each call: one `OperationEvent` to `onOperation` (metrics)
 * and one log line (debug on success and on bad input, VALIDATION or NOT_SUPPORTED; warn on any other
 * failure, CLOSED and CONFLICT included).
 */
import type { StorageError } from "./errors.js";
import { type Logger, type OperationEvent, silentLogger } from "./logger.js";
import { normalizeUuid } from "./uuid.js";

/** An event before the reporter adds who reported it and whether it failed. */
export type OperationOutcome = Omit<OperationEvent, "storage" | "adapter" | "ok" | "code">;

/** Failures that are the caller's doing: logged at debug, not warn, so bad input cannot flood the logs. */
const CALLER_CODES = new Set(["VALIDATION", "NOT_SUPPORTED"]);

export class OperationReporter {
  readonly #storage: string;
  readonly #adapter: string;
  readonly #logger: Logger;
  readonly #onOperation: ((event: OperationEvent) => void) | undefined;

  constructor(
    storage: string,
    adapter: string,
    logger: Logger,
    onOperation?: (event: OperationEvent) => void,
  ) {
    this.#storage = storage;
    this.#adapter = adapter;
    this.#logger = logger;
    this.#onOperation = onOperation;
  }

  /**
   * Logs the call and hands it to `onOperation`; a throwing hook is ignored. The event carries a uuid
   * only in its canonical form (`outcome.uuid` may be a caller's text): never arbitrary input.
   */
  report(outcome: OperationOutcome, failure?: StorageError): void {
    // Nobody listening: a successful call costs no event (the hot path of get and save).
    if (!failure && !this.#onOperation && this.#logger === silentLogger) return;
    const event: OperationEvent = {
      storage: this.#storage,
      adapter: this.#adapter,
      ok: !failure,
      ...outcome,
      uuid: normalizeUuid(outcome.uuid) ?? undefined,
    };
    if (event.uuid === undefined) delete event.uuid;
    if (event.count === undefined) delete event.count;
    if (failure) {
      event.code = failure.code;
      const level = CALLER_CODES.has(failure.code) ? "debug" : "warn";
      this.#logger[level]({ ...event, err: failure }, `vcon storage ${outcome.operation} failed`);
    } else {
      this.#logger.debug(event, `vcon storage ${outcome.operation}`);
    }
    try {
      this.#onOperation?.(event);
    } catch {
      // A metrics hook must never break storage.
    }
  }
}
