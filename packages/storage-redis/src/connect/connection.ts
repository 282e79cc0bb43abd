import type { Cluster, Redis } from "ioredis";

/** What ioredis says about a connection already lost; the socket error that lost it says more. */
export const GENERIC_CONNECTION_ERROR = /Stream isn't writeable|Connection is closed/;

/**
 * Opens a client once, bounded by `timeoutMs`, and opens it again on the next call after it was lost or
 * never came up, so an unreachable server fails fast instead of hanging and one that comes back is used.
 * An owned client never reconnects on its own (create-client.ts): once lost it ends, and `open()`
 * connects it again. A borrowed client reconnects as its owner configured it; `open()` waits for it.
 * Keeps the last socket error: a refused AUTH shows up there, while the connect promise only says
 * "Connection is closed."
 */
export class Connection {
  #ready: Promise<void> | null = null;
  #lastError: Error | null = null;

  constructor(
    readonly client: Redis | Cluster,
    readonly owned: boolean,
    readonly timeoutMs: number,
  ) {
    // Errors reach callers through the failed command; without a listener ioredis prints them.
    client.on("error", (error: Error) => {
      if (this.#lastError === null || !GENERIC_CONNECTION_ERROR.test(error.message)) this.#lastError = error;
    });
  }

  /** The socket error behind a generic "connection is closed", when there was one. */
  explain(error: unknown): unknown {
    const generic = GENERIC_CONNECTION_ERROR.test(String((error as Error)?.message));
    return generic && this.#lastError ? this.#lastError : error;
  }

  open(): Promise<void> {
    const { client } = this;
    if (client.status === "ready") return Promise.resolve();
    if (client.status !== "wait" && client.status !== "end") return this.#ready ?? this.#waitReady();
    this.#lastError = null;
    this.#ready = this.#waitReady(client.connect());
    this.#ready.catch(() => {
      this.#ready = null;
    });
    return this.#ready;
  }

  async close(): Promise<void> {
    if (!this.owned) return;
    try {
      if (this.client.status === "ready") await this.client.quit();
    } catch {
      // Already gone: nothing left to release.
    } finally {
      this.client.disconnect();
    }
  }

  #waitReady(connecting?: Promise<void>): Promise<void> {
    const { client } = this;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        if (this.owned) client.disconnect();
        reject(new Error(`connect timed out after ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      const onReady = () => {
        cleanup();
        resolve();
      };
      const cleanup = () => {
        clearTimeout(timer);
        client.off("ready", onReady);
      };
      client.once("ready", onReady);
      connecting?.then(onReady, (error: unknown) => {
        cleanup();
        if (this.owned) client.disconnect();
        reject(this.#lastError ?? error);
      });
    });
  }
}
