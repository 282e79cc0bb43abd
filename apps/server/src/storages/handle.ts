import type { StorageError, VconStorage } from "@vcon/storage-core";

/**
 * A configured storage that may not be open yet. Replicas and read-only storages use it: one that
 * cannot be opened at start does not stop the service; it is opened again when next needed.
 */
export class StorageHandle {
  readonly name: string;
  readonly adapter: string;
  readonly #open: () => Promise<VconStorage>;
  #storage: VconStorage | null = null;
  #opening: Promise<VconStorage> | null = null;
  #lastError: StorageError | null = null;
  #closed = false;

  constructor(name: string, adapter: string, open: () => Promise<VconStorage>) {
    this.name = name;
    this.adapter = adapter;
    this.#open = open;
  }

  /** The open storage, or null while it could not be opened. */
  get storage(): VconStorage | null {
    return this.#storage;
  }

  /** Why the last open failed (already renamed and scrubbed), or null. */
  get lastError(): StorageError | null {
    return this.#lastError;
  }

  /** The storage, opening it first when needed; concurrent callers share one attempt. */
  async get(): Promise<VconStorage> {
    if (this.#storage) return this.#storage;
    this.#opening ??= this.#open().then(
      async (storage) => {
        this.#opening = null;
        // Closed while opening: release what was just opened.
        if (this.#closed) {
          await storage.close();
          throw this.#lastError ?? new Error(`Storage "${this.name}" is closed`);
        }
        this.#storage = storage;
        this.#lastError = null;
        return storage;
      },
      (error: StorageError) => {
        this.#opening = null;
        this.#lastError = error;
        throw error;
      },
    );
    return this.#opening;
  }

  /**
   * Closes the open storage so the next `get()` opens a fresh one: for a driver that stays wedged
   * after an outage. Calls in flight on the old storage finish first (core's close waits for them).
   */
  async reopen(): Promise<void> {
    const stale = this.#storage;
    this.#storage = null;
    await stale?.close().catch(() => {});
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#opening?.catch(() => {});
    await this.#storage?.close();
  }
}
