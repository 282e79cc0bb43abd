import {
  type ExportOptions,
  isStorageError,
  type SearchPage,
  type SearchQuery,
  UnavailableError,
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
    const answer = await this.#fromPrimaryOrFallback(
      "get",
      (primary) => primary.get(uuid),
      async (fallback) => {
        const document = await fallback.get(uuid);
        // A replica's miss proves nothing while the primary is down: it may not have caught up.
        if (!document) throw new UnavailableError("not found on a fallback");
        return document;
      },
    );
    if (!answer.value) return null;
    const { value: document, storage, fallback, failures } = answer;
    return { document, storage, failures, fallback };
  }

  async search(query: SearchQuery): Promise<SearchAnswer> {
    const { primary } = this.#o;
    if (!primary.supports("search")) throw notSupported("search", primary);
    const { value: page, ...answer } = await this.#fromPrimaryOrFallback(
      "search",
      (storage) => storage.search(query),
      // A fallback that cannot search is passed over.
      async (fallback) => (fallback.supports("search") ? fallback.search(query) : undefined),
    );
    return { ...answer, page };
  }

  /**
   * The primary's answer; when the primary fails, the first fallback's, with the failures before
   * it. Bad input (VALIDATION) is the caller's and is thrown as it is. `fromFallback` returns
   * undefined for a storage that cannot do this (passed over) and throws to record a failure.
   */
  async #fromPrimaryOrFallback<T>(
    operation: string,
    fromPrimary: (primary: VconStorage) => Promise<T>,
    fromFallback: (fallback: VconStorage) => Promise<T | undefined>,
  ): Promise<{ value: T; storage: string; fallback: boolean; failures: StorageOutcome[] }> {
    const { primary, fallbacks, secrets } = this.#o;
    let primaryFailure: StorageOutcome;
    try {
      return { value: await fromPrimary(primary), storage: primary.name, fallback: false, failures: [] };
    } catch (error) {
      if (isStorageError(error, "VALIDATION")) throw error;
      primaryFailure = failedOutcome(primary.name, error, secrets);
    }
    const failures = [primaryFailure];
    for (const handle of fallbacks) {
      try {
        const value = await fromFallback(await handle.get());
        if (value !== undefined) return { value, storage: handle.name, fallback: true, failures };
      } catch (error) {
        if (isStorageError(error, "VALIDATION")) throw error;
        failures.push(failedOutcome(handle.name, error, secrets));
      }
    }
    throw new StorageFailure(failureMessage(operation, failures), failures);
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
