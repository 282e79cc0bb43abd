/**
 * Runs the work queued while one event-loop turn ran in one transaction: concurrent requests share
 * one commit (one fsync) instead of paying one each. `transaction` must run the callback atomically.
 */
export class GroupCommit {
  readonly #transaction: (run: () => void) => void;
  #queue: { work: () => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void }[] = [];
  #scheduled = false;

  constructor(transaction: (run: () => void) => void) {
    this.#transaction = transaction;
  }

  /** Queues `work` for the next commit; resolves with its result once that commit is durable. */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits everything queued now. A failed commit rejects every piece of work in it. */
  flush(): void {
    this.#scheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    const results: unknown[] = [];
    try {
      this.#transaction(() => {
        for (const item of batch) results.push(item.work());
      });
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    for (const [index, item] of batch.entries()) item.resolve(results[index]);
  }
}
