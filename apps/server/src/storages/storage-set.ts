import {
  type AdapterRegistry,
  type ExportOptions,
  isStorageError,
  type Logger,
  type OperationEvent,
  type SearchPage,
  type SearchQuery,
  silentLogger,
  UnavailableError,
  type VconDocument,
  type VconInput,
  type VconStorage,
} from "@vcon/storage-core";
import type { AppConfig } from "../config/schema.js";
import { renameFailure } from "./failure.js";
import { scrubbingLogger } from "./logger.js";
import { failedOutcome, StorageFailure, type StorageOutcome } from "./outcome.js";
import { appRegistry } from "./registry.js";

export interface OpenStoragesOptions {
  logger?: Logger;
  /** Called after every storage operation (core's hook), for metrics. */
  onOperation?: (event: OperationEvent) => void;
  /** Values that must never appear in messages (from the loaded configuration). */
  secrets?: readonly string[];
  /** Where adapter names are looked up; by default the app's own dependencies. */
  registry?: AdapterRegistry;
}

interface ConfiguredStorage {
  storage: VconStorage;
  read: boolean;
  write: boolean;
}

export interface WriteReport {
  uuids: string[];
  storages: StorageOutcome[];
}

export interface ReadHit {
  document: VconDocument;
  /** The storage that answered. */
  storage: string;
  /** Storages asked before it that failed (reported, not hidden). */
  failures: StorageOutcome[];
}

export interface DeleteReport {
  deleted: boolean;
  storages: StorageOutcome[];
}

export interface StorageHealth {
  name: string;
  adapter: string;
  read: boolean;
  write: boolean;
  ok: boolean;
  latencyMs: number;
  code?: string;
  message?: string;
}

/** The uuid health probes read: never a real vCon's. */
const PROBE_UUID = "00000000-0000-0000-0000-000000000000";
const PROBE_TIMEOUT_MS = 5000;

/**
 * The configured storages, used as one: writes fan out to every write storage, reads go through the
 * read storages in configuration order. Every failure is reported with the storage's name.
 */
export class StorageSet {
  readonly #storages: ConfiguredStorage[];
  readonly #secrets: readonly string[];

  private constructor(storages: ConfiguredStorage[], secrets: readonly string[]) {
    this.#storages = storages;
    this.#secrets = secrets;
  }

  /** Creates every configured storage by adapter name. If one cannot be created, the others are closed again. */
  static async open(config: AppConfig, options: OpenStoragesOptions = {}): Promise<StorageSet> {
    const registry = options.registry ?? appRegistry();
    const secrets = options.secrets ?? [];
    const logger = scrubbingLogger(options.logger ?? silentLogger, secrets);
    const opened: ConfiguredStorage[] = [];
    try {
      for (const [name, entry] of Object.entries(config.storages)) {
        const storage = await registry
          .create({
            adapter: entry.adapter,
            options: entry.options,
            name,
            logger,
            ...(options.onOperation ? { onOperation: options.onOperation } : {}),
          })
          .catch((error: unknown) => {
            throw renameFailure(
              error,
              `Storage "${name}" (adapter "${entry.adapter}") could not be opened`,
              secrets,
            );
          });
        opened.push({ storage, read: entry.read, write: entry.write });
      }
    } catch (error) {
      await Promise.allSettled(opened.map((s) => s.storage.close()));
      throw error;
    }
    return new StorageSet(opened, secrets);
  }

  get names(): string[] {
    return this.#storages.map((s) => s.storage.name);
  }

  /** A storage by configuration name. */
  byName(name: string): VconStorage | undefined {
    return this.#storages.find((s) => s.storage.name === name)?.storage;
  }

  get writers(): VconStorage[] {
    return this.#storages.filter((s) => s.write).map((s) => s.storage);
  }

  get readers(): VconStorage[] {
    return this.#storages.filter((s) => s.read).map((s) => s.storage);
  }

  /**
   * Saves to every write storage concurrently. Callers validate first (core's `prepareVcon`),
   * so a rejected request writes nothing. Throws `StorageFailure` when any storage failed.
   */
  async save(vcons: readonly VconInput[], uuids: string[]): Promise<WriteReport> {
    const storages = await Promise.all(this.writers.map((storage) => this.#saveTo(storage, vcons)));
    if (storages.some((o) => !o.ok)) throw new StorageFailure(failureMessage("save", storages), storages);
    return { uuids, storages };
  }

  async #saveTo(storage: VconStorage, vcons: readonly VconInput[]): Promise<StorageOutcome> {
    let saved = 0;
    try {
      if (vcons.length > 1 && storage.supports("saveMany")) {
        saved = (await storage.saveMany(vcons)).saved;
      } else {
        for (const vcon of vcons) {
          await storage.save(vcon);
          saved++;
        }
      }
      return { storage: storage.name, ok: true, saved };
    } catch (error) {
      // A batch that stopped part way says how much landed.
      const landed = (error as { landed?: { start: number; end: number }[] }).landed;
      if (Array.isArray(landed)) saved = landed.reduce((sum, range) => sum + (range.end - range.start), 0);
      return { ...failedOutcome(storage.name, error, this.#secrets), saved };
    }
  }

  /** The first read storage that has the document. Null when every storage answered and none has it. */
  async get(uuid: string): Promise<ReadHit | null> {
    const failures: StorageOutcome[] = [];
    for (const storage of this.readers) {
      try {
        const document = await storage.get(uuid);
        if (document) return { document, storage: storage.name, failures };
      } catch (error) {
        if (isStorageError(error, "VALIDATION")) throw error;
        failures.push(failedOutcome(storage.name, error, this.#secrets));
      }
    }
    // Absence cannot be claimed while a storage could not answer.
    if (failures.length > 0) throw new StorageFailure(failureMessage("get", failures), failures);
    return null;
  }

  /** The storage searches use: the first read storage that supports search. */
  searchStorage(): VconStorage | undefined {
    return this.readers.find((s) => s.supports("search"));
  }

  /** Searches one storage only (cursors belong to the storage that issued them): no fallback. */
  async search(query: SearchQuery): Promise<{ storage: string; page: SearchPage }> {
    const storage = this.searchStorage();
    if (!storage) throw notSupported("search", this.readers);
    try {
      return { storage: storage.name, page: await storage.search(query) };
    } catch (error) {
      if (isStorageError(error, "VALIDATION")) throw error;
      const outcomes = [failedOutcome(storage.name, error, this.#secrets)];
      throw new StorageFailure(failureMessage("search", outcomes), outcomes);
    }
  }

  /** Deletes from every write storage. A write storage without delete is a failure, not a skip. */
  async delete(uuid: string): Promise<DeleteReport> {
    const storages = await Promise.all(
      this.writers.map(async (storage): Promise<StorageOutcome> => {
        try {
          return { storage: storage.name, ok: true, deleted: await storage.delete(uuid) };
        } catch (error) {
          if (isStorageError(error, "VALIDATION")) throw error;
          return failedOutcome(storage.name, error, this.#secrets);
        }
      }),
    );
    if (storages.some((o) => !o.ok)) throw new StorageFailure(failureMessage("delete", storages), storages);
    return { deleted: storages.some((o) => o.deleted), storages };
  }

  /** The storage exports read from: the named one, or the first read storage that supports export. */
  exportStorage(name?: string): VconStorage {
    if (name !== undefined) {
      const storage = this.byName(name);
      if (!storage) throw unknownStorage(name, this.names);
      return storage;
    }
    const storage = this.readers.find((s) => s.supports("export"));
    if (!storage) throw notSupported("export", this.readers);
    return storage;
  }

  export(options: ExportOptions = {}, name?: string): AsyncIterable<VconDocument> {
    return this.exportStorage(name).export(options);
  }

  /** Probes every storage with a read of a uuid no vCon has, bounded by a timeout. */
  async health(): Promise<StorageHealth[]> {
    return Promise.all(
      this.#storages.map(async ({ storage, read, write }): Promise<StorageHealth> => {
        const started = performance.now();
        const base = { name: storage.name, adapter: storage.adapter, read, write };
        try {
          await withTimeout(storage.get(PROBE_UUID), PROBE_TIMEOUT_MS);
          return { ...base, ok: true, latencyMs: elapsed(started) };
        } catch (error) {
          const failed = failedOutcome(storage.name, error, this.#secrets);
          return {
            ...base,
            ok: false,
            latencyMs: elapsed(started),
            code: failed.code,
            message: failed.message,
          };
        }
      }),
    );
  }

  /** Closes every storage; reports the first failure after trying all. */
  async close(): Promise<void> {
    const results = await Promise.allSettled(this.#storages.map((s) => s.storage.close()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  }
}

function failureMessage(operation: string, outcomes: readonly StorageOutcome[]): string {
  const failed = outcomes.filter((o) => !o.ok).map((o) => `${o.storage} (${o.code})`);
  return `${operation} failed on ${failed.length} of ${outcomes.length} storage(s): ${failed.join(", ")}`;
}

function notSupported(capability: string, readers: VconStorage[]): StorageFailure {
  const outcomes = readers.map((s) => ({
    storage: s.name,
    ok: false,
    code: "NOT_SUPPORTED" as const,
    message: `Adapter "${s.adapter}" does not support ${capability}.`,
  }));
  return new StorageFailure(`No read storage supports ${capability}`, outcomes);
}

function unknownStorage(name: string, known: string[]): StorageFailure {
  return new StorageFailure(`No storage named "${name}" (configured: ${known.join(", ")})`, [
    { storage: name, ok: false, code: "VALIDATION", message: "not configured" },
  ]);
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UnavailableError(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
