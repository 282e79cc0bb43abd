/**
 * Runs queued work in one transaction: concurrent requests share one commit (one fsync) instead of
 * paying one each. `transaction` must run the callback atomically; `sync`, when given, makes a
 * committed transaction durable off the event loop, and the work's promises resolve only after it.
 * While a sync runs, new work waits and then commits as one batch, so a slow disk gets fewer,
 * larger syncs instead of a queue of small ones.
 */
export class GroupCommit {
  readonly #transaction: (run: () => void) => void;
  readonly #sync: (() => Promise<void>) | undefined;
  readonly #syncing = new Set<Promise<void>>();
  #queue: { work: () => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void }[] = [];
  #scheduled = false;

  constructor(transaction: (run: () => void) => void, sync?: () => Promise<void>) {
    this.#transaction = transaction;
    this.#sync = sync;
  }

  /** Resolves once every commit made so far is durable. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#syncing]);
  }

  /** Queues `work` for the next commit; resolves with its result once that commit is durable. */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.#syncing.size === 0) this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.flush());
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
    const resolveAll = () => {
      for (const [index, item] of batch.entries()) item.resolve(results[index]);
    };
    if (!this.#sync) {
      resolveAll();
      return;
    }
    const syncing = this.#sync().then(resolveAll, (error: unknown) => {
      for (const item of batch) item.reject(error);
    });
    this.#syncing.add(syncing);
    void syncing.finally(() => {
      this.#syncing.delete(syncing);
      // What queued up while the disk synced goes in the next batch.
      if (this.#queue.length > 0) this.#schedule();
    });
  }
}
