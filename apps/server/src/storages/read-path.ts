import {
  type ExportOptions,
  isStorageError,
  type SearchPage,
  type SearchQuery,
  type VconDocument,
  type VconStorage,
} from "@vcon/storage-core";
import type { StorageHandle } from "./handle.js";
import { failedOutcome, StorageFailure, type StorageOutcome } from "./outcome.js";

export interface ReadHit {
  document: VconDocument;
  /** The storage that answered. */
  storage: string;
  /** Set when a fallback answered: the primary's failure (reported, not hidden). */
  failures: StorageOutcome[];
  /** True when the primary could not answer and a replica (possibly behind) did. */
  fallback: boolean;
}

export interface SearchAnswer {
  storage: string;
  page: SearchPage;
  fallback: boolean;
  failures: StorageOutcome[];
}

export interface ReadPathOptions {
  primary: VconStorage;
  /** Storages with `read: true` other than the primary, in configuration order. */
  fallbacks: readonly StorageHandle[];
  secrets: readonly string[];
}

/**
 * Reads go to the primary, which holds every acknowledged write. A fallback answers only when the
 * primary cannot (it may lag behind), and the answer says so. A miss on the primary is a miss:
 * a replica's copy never overrides the primary's absence.
 */
export class ReadPath {
  readonly #o: ReadPathOptions;

  constructor(options: ReadPathOptions) {
    this.#o = options;
  }

  async get(uuid: string): Promise<ReadHit | null> {
    const { primary } = this.#o;
    let primaryFailure: StorageOutcome;
    try {
      const document = await primary.get(uuid);
      return document ? { document, storage: primary.name, failures: [], fallback: false } : null;
    } catch (error) {
      if (isStorageError(error, "VALIDATION")) throw error;
      primaryFailure = failedOutcome(primary.name, error, this.#o.secrets);
    }
    const failures = [primaryFailure];
    for (const handle of this.#o.fallbacks) {
      try {
        const document = await (await handle.get()).get(uuid);
        if (document) return { document, storage: handle.name, failures, fallback: true };
        // A replica's miss proves nothing while the primary is down: it may not have caught up.
        failures.push({
          storage: handle.name,
          ok: false,
          code: "UNAVAILABLE",
          message: "not found on a fallback",
        });
      } catch (error) {
        failures.push(failedOutcome(handle.name, error, this.#o.secrets));
      }
    }
    throw new StorageFailure(failureMessage("get", failures), failures);
  }

  async search(query: SearchQuery): Promise<SearchAnswer> {
    const { primary } = this.#o;
    if (!primary.supports("search")) throw notSupported("search", primary);
    let primaryFailure: StorageOutcome;
    try {
      return { storage: primary.name, page: await primary.search(query), fallback: false, failures: [] };
    } catch (error) {
      if (isStorageError(error, "VALIDATION")) throw error;
      primaryFailure = failedOutcome(primary.name, error, this.#o.secrets);
    }
    const failures = [primaryFailure];
    for (const handle of this.#o.fallbacks) {
      try {
        const storage = await handle.get();
        if (!storage.supports("search")) continue;
        return { storage: handle.name, page: await storage.search(query), fallback: true, failures };
      } catch (error) {
        if (isStorageError(error, "VALIDATION")) throw error;
        failures.push(failedOutcome(handle.name, error, this.#o.secrets));
      }
    }
    throw new StorageFailure(failureMessage("search", failures), failures);
  }

  /**
   * Every document of the primary; when the primary fails before its first document, of the first
   * fallback that can export (reported through `onFallback`).
   */
  async *export(
    options: ExportOptions,
    onFallback: (storage: string, failure: StorageOutcome) => void = () => {},
  ): AsyncGenerator<VconDocument> {
    const { primary } = this.#o;
    if (!primary.supports("export")) throw notSupported("export", primary);
    let started = false;
    try {
      for await (const document of primary.export(options)) {
        started = true;
        yield document;
      }
      return;
    } catch (error) {
      if (started || isStorageError(error, "VALIDATION")) throw error;
      const failure = failedOutcome(primary.name, error, this.#o.secrets);
      for (const handle of this.#o.fallbacks) {
        const storage = await handle.get().catch(() => null);
        if (!storage?.supports("export")) continue;
        onFallback(handle.name, failure);
        yield* storage.export(options);
        return;
      }
      throw new StorageFailure(failureMessage("export", [failure]), [failure]);
    }
  }
}

export function failureMessage(operation: string, outcomes: readonly StorageOutcome[]): string {
  const failed = outcomes.filter((o) => !o.ok).map((o) => `${o.storage} (${o.code})`);
  return `${operation} failed on ${failed.length} of ${outcomes.length} storage(s): ${failed.join(", ")}`;
}

function notSupported(capability: string, primary: VconStorage): StorageFailure {
  const outcome: StorageOutcome = {
    storage: primary.name,
    ok: false,
    code: "NOT_SUPPORTED",
    message: `Adapter "${primary.adapter}" does not support ${capability}.`,
  };
  return new StorageFailure(`The primary does not support ${capability}`, [outcome]);
}
