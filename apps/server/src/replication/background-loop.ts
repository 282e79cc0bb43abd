import { Wakeup } from "./wakeup.js";

/** How often an idle loop looks for work written by another process (CLI import, retry). */
export const IDLE_POLL_MS = 1000;

/**
 * A replication worker's life cycle: `run` starts once, idles on `wakeup` (woken early by new work)
 * and returns once `stopped` is aborted; `done` waits for that.
 */
export abstract class BackgroundLoop {
  protected readonly wakeup: Wakeup;
  #running: Promise<void> | null = null;

  constructor(stopped: AbortSignal) {
    this.wakeup = new Wakeup(stopped);
  }

  start(): void {
    this.#running ??= this.run();
  }

  /** New work: look now instead of at the next poll. */
  wake(): void {
    this.wakeup.wake();
  }

  /** Resolves once the loop has stopped (after `stopped` is aborted). */
  async done(): Promise<void> {
    this.wakeup.wake();
    await this.#running;
  }

  protected abstract run(): Promise<void>;
}
