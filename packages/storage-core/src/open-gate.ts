/**
 * Runs an adapter's optional `open()` once, before the first operation, for every call that needs it.
 *
 * - Calls made while `open()` runs wait for it and share its outcome.
 * - A failed `open()` is that outcome for every waiting call; the gate then resets, so the NEXT call
 *   tries again. A database that comes up after the service started is picked up without a restart.
 * - `settled()` lets `close()` wait for an `open()` in progress, so the adapter is never closed while it
 *   is still opening (and nothing an open acquires is left behind).
 */
export class OpenGate {
  #open: (() => Promise<void>) | undefined;
  #opening: Promise<void> | null = null;

  constructor(open: (() => Promise<void>) | undefined) {
    this.#open = open;
  }

  /** True once `open()` succeeded (or when there is nothing to open): calls go straight through. */
  get isOpen(): boolean {
    return this.#open === undefined;
  }

  /** Resolves when the adapter is open, opening it when nobody is yet. */
  opened(): Promise<void> {
    if (this.#open === undefined) return Promise.resolve();
    if (this.#opening === null) {
      const open = this.#open;
      this.#opening = (async () => open())().then(
        () => {
          this.#open = undefined;
          this.#opening = null;
        },
        (error: unknown) => {
          this.#opening = null;
          throw error;
        },
      );
    }
    return this.#opening;
  }

  /** Resolves (never rejects) once no `open()` is running. */
  settled(): Promise<void> {
    return this.#opening === null ? Promise.resolve() : this.#opening.catch(() => {});
  }
}
