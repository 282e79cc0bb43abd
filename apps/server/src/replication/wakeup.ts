import { setTimeout as sleep } from "node:timers/promises";

/** A loop's idle wait that ends early when there is new work (`wake`) or the loop stops (`abort`). */
export class Wakeup {
  #controller = new AbortController();
  readonly #stopped: AbortSignal;

  constructor(stopped: AbortSignal) {
    this.#stopped = stopped;
  }

  wake(): void {
    this.#controller.abort();
  }

  /** Resolves after `ms` or when stopped, not on `wake()`: a backoff new work must not cut short. */
  async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.#stopped }).catch(() => {});
  }

  /** Resolves after `ms`, on `wake()`, or when stopped; never rejects. True when woken. */
  async wait(ms: number): Promise<boolean> {
    if (this.#controller.signal.aborted) {
      // Woken while busy: the work is already there.
      this.#controller = new AbortController();
      return true;
    }
    const woken = this.#controller.signal;
    const signal = AbortSignal.any([woken, this.#stopped]);
    await sleep(ms, undefined, { signal }).catch(() => {});
    if (woken.aborted) this.#controller = new AbortController();
    return woken.aborted && !this.#stopped.aborted;
  }
}
