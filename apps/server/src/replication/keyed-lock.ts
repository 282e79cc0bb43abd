/**
 * One writer at a time per key (a vCon's uuid) in this process: the journal's order for a uuid is
 * then the order its writes reached the primary, so replicas end in the primary's state.
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `work` once every earlier holder of any of `keys` is done. Keys are taken in sorted order, so two callers never wait on each other. */
  async with<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    const unique = [...new Set(keys)].sort();
    const releases: (() => void)[] = [];
    try {
      for (const key of unique) releases.push(await this.#acquire(key));
      return await work();
    } finally {
      for (const release of releases) release();
    }
  }

  async #acquire(key: string): Promise<() => void> {
    const previous = this.#tails.get(key);
    let release!: () => void;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous ? previous.then(() => done) : done;
    this.#tails.set(key, tail);
    if (previous) await previous;
    return () => {
      release();
      // The last holder leaves no entry behind: the map holds only keys being written.
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    };
  }
}
