/**
 * The facade applications use. It does the facade's jobs only: the lifecycle (open once, reject after
 * close, wait for calls in flight), capability gating, checking input once, and one telemetry report per
 * call. Batch rules live in batch.ts, error classification in classify.ts, reporting in telemetry.ts.
 */
import type {
  Capability,
  ChangeBacklog,
  ChangeClaim,
  ExportOptions,
  ReadOptions,
  SearchPage,
  SearchQuery,
  StorageAdapter,
  StorageChange,
} from "./adapter.js";
import { type ChunkRange, chunkSizeFor, DEFAULT_BATCH_BYTES, prepareBatch, writeInChunks } from "./batch.js";
import { readManifest } from "./capabilities.js";
import { toStorageError } from "./classify.js";
import {
  DEFAULT_LIMITS,
  type DocumentLimits,
  type PreparedVcon,
  prepareOnce,
  type VconInput,
} from "./document.js";
import {
  ClosedError,
  InternalError,
  isStorageError,
  NotSupportedError,
  type StorageError,
  ValidationError,
} from "./errors.js";
import { type Logger, type OperationEvent, silentLogger } from "./logger.js";
import { OpenGate } from "./open-gate.js";
import { normalizeExportOptions, normalizeReadOptions, normalizeSearchQuery } from "./query.js";
import { OperationReporter } from "./telemetry.js";
import type { VconDocument } from "./types.js";
import { requireUuid } from "./uuid.js";

// Moved to their own modules; still exported from here for code that imported them from this file.
export { BatchError, type ChunkRange } from "./batch.js";
export { isNetworkError } from "./classify.js";

export interface SaveResult {
  /** The canonical uuid the vCon was stored under. */
  uuid: string;
}

export interface SaveManyOptions {
  /** Documents per transaction; capped by the adapter's `maxBatchSize`. */
  chunkSize?: number;
}

export interface SaveManyResult {
  /** Distinct uuids written (a uuid given twice is written once, last one wins). */
  saved: number;
  /** The chunks that were committed, in order. */
  chunks: ChunkRange[];
}

/** What applications use: the same API on every backend. */
export interface VconStorage {
  /** The configuration name of this storage (e.g. "primary"), or the adapter's name. */
  readonly name: string;
  /**
   * The adapter's name, e.g. "postgres" (its definition's `name`, what `StorageConfig.adapter` picked).
   * Every storage core makes has it; optional in the type only so that objects written to this
   * interface before it existed still compile.
   */
  readonly adapterName?: string;
  /**
   * The adapter's name, as `adapterName`.
   * @deprecated — use `adapterName`: `adapter` reads like the adapter object, but it is its name.
   */
  readonly adapter: string;
  readonly capabilities: Readonly<Record<Capability, boolean>>;
  readonly closed: boolean;
  supports(capability: Capability): boolean;
  /**
   * Opens the adapter now (its `open()`, which the first operation would otherwise run), for a service
   * that wants a bad configuration or an unreachable backend to fail at start. Resolves at once when
   * already open; a rejection is the open's error, and the next call tries again. `CLOSED` after close().
   * Every storage core makes has it; optional in the type only so that objects written to this
   * interface before it existed still compile.
   */
  open?(): Promise<void>;
  /**
   * Upsert by uuid. Accepts an object, JSON text that is stored byte for byte, or a vCon already
   * checked by `prepareVcon` / `prepareBatch` (not checked again, so one POST written to several
   * storages is validated once).
   */
  save(vcon: VconInput | PreparedVcon): Promise<SaveResult>;
  /**
   * The stored document, or `null` when there is none. `options.consistency: "primary"` asks an
   * adapter with read replicas to read from its primary (see the adapter's README).
   */
  get(uuid: string, options?: ReadOptions): Promise<VconDocument | null>;
  /** True when a document was removed. */
  delete(uuid: string): Promise<boolean>;
  exists(uuid: string, options?: ReadOptions): Promise<boolean>;
  /** Checks every document first (nothing is written if one is bad), then writes chunk by chunk. */
  saveMany(vcons: readonly (VconInput | PreparedVcon)[], options?: SaveManyOptions): Promise<SaveManyResult>;
  search(query?: SearchQuery, options?: ReadOptions): Promise<SearchPage>;
  /** Every stored document (optionally in a created_at range) in (created_at, uuid) order. */
  export(options?: ExportOptions): AsyncIterable<VconDocument>;
  /**
   * The change log (capability `changes`, see `StorageAdapter.recordChanges`): turns recording of
   * every committed write on (durably, for every client of the backend) or off (forgetting what is
   * unacknowledged). Optional in the type so that objects written to this interface before it existed
   * still compile; every storage core makes has these four, rejecting NOT_SUPPORTED without the capability.
   */
  recordChanges?(on: boolean): Promise<void>;
  /** Up to `limit` (1 to 10,000; 100 when left out) unacknowledged changes, lowest id first. */
  readChanges?(limit?: number): Promise<StorageChange[]>;
  /** Forgets exactly these changes. */
  acknowledgeChanges?(ids: readonly string[]): Promise<void>;
  pendingChanges?(): Promise<ChangeBacklog>;
  /**
   * The change log's one consumer (capability `claimChanges`, see `StorageAdapter.claimChanges`): takes
   * or renews the claim for `consumer` (1 to 200 characters) and answers who holds it; `takeOver`
   * moves it to `consumer` from whoever held it.
   */
  claimChanges?(consumer: string, options?: { takeOver?: boolean }): Promise<ChangeClaim>;
  /** Waits for calls in flight, then releases every resource. Safe to call twice. */
  close(): Promise<void>;
}

export interface StorageOptions {
  /** Shown in logs and errors; the adapter's name when left out. */
  name?: string;
  logger?: Logger;
  /** Called after every operation, for metrics. Must not throw. */
  onOperation?: (event: OperationEvent) => void;
  limits?: Partial<DocumentLimits>;
}

/** Wraps an adapter into the API applications use. */
export function fromAdapter(adapter: StorageAdapter, options: StorageOptions = {}): VconStorage {
  return new ManagedStorage(adapter, options);
}

const DEFAULT_CHANGE_LIMIT = 100;
const MAX_CHANGE_LIMIT = 10_000;
/** A consumer name is shown to operators (status, errors): a name, not a document. */
const MAX_CONSUMER_LENGTH = 200;

const CLOSED_DURING_EXPORT = "The storage was closed during export.";

class ManagedStorage implements VconStorage {
  readonly name: string;
  readonly adapterName: string;
  readonly capabilities: Readonly<Record<Capability, boolean>>;
  #driver: StorageAdapter;
  #reporter: OperationReporter;
  /** The storage's limits, with the adapter's `maxDocumentBytes` when that is smaller. */
  #limits: DocumentLimits;
  #gate: OpenGate;
  #closing: Promise<void> | null = null;
  #inFlight = new Set<Promise<unknown>>();
  #exports = new Set<AbortController>();

  constructor(driver: StorageAdapter, options: StorageOptions) {
    this.#driver = driver;
    this.adapterName = driver.name;
    this.name = options.name ?? driver.name;
    this.#reporter = new OperationReporter(
      this.name,
      this.adapterName,
      options.logger ?? silentLogger,
      options.onOperation,
    );
    this.#limits = writeLimits(driver, { ...DEFAULT_LIMITS, ...options.limits });
    this.capabilities = Object.freeze(readManifest(driver));
    this.#gate = new OpenGate(typeof driver.open === "function" ? () => driver.open!() : undefined);
  }

  /** @deprecated — use `adapterName`. */
  get adapter(): string {
    return this.adapterName;
  }

  get closed(): boolean {
    return this.#closing !== null;
  }

  supports(capability: Capability): boolean {
    return this.capabilities[capability] === true;
  }

  async open(): Promise<void> {
    this.#assertOpen();
    if (this.#gate.isOpen) return;
    // In flight like any call, so close() waits for it.
    const task = this.#gate.opened();
    this.#inFlight.add(task);
    try {
      await task;
    } catch (error) {
      throw this.#toError(error);
    } finally {
      this.#inFlight.delete(task);
    }
  }

  save(vcon: VconInput | PreparedVcon): Promise<SaveResult> {
    return this.#run("save", undefined, async () => {
      const prepared = prepareOnce(vcon, this.#limits);
      await this.#driver.save(prepared);
      return { result: { uuid: prepared.uuid }, uuid: prepared.uuid };
    });
  }

  get(uuid: string, options?: ReadOptions): Promise<VconDocument | null> {
    return this.#run("get", uuid, async () => {
      const canonical = requireUuid(uuid);
      const read = normalizeReadOptions(options);
      // Passed only when given: adapters written for 0.1 see the call they always saw.
      const found = await (read ? this.#driver.get(canonical, read) : this.#driver.get(canonical));
      if (found === undefined)
        throw new InternalError(`adapter "${this.adapterName}" returned undefined from get`);
      return { result: found, count: found === null ? 0 : 1 };
    });
  }

  delete(uuid: string): Promise<boolean> {
    return this.#run("delete", uuid, async () => {
      const driver = this.#require("delete");
      return { result: Boolean(await driver.delete!(requireUuid(uuid))) };
    });
  }

  exists(uuid: string, options?: ReadOptions): Promise<boolean> {
    return this.#run("exists", uuid, async () => {
      const driver = this.#require("exists");
      const canonical = requireUuid(uuid);
      const read = normalizeReadOptions(options);
      return { result: Boolean(await (read ? driver.exists!(canonical, read) : driver.exists!(canonical))) };
    });
  }

  saveMany(
    vcons: readonly (VconInput | PreparedVcon)[],
    options: SaveManyOptions = {},
  ): Promise<SaveManyResult> {
    return this.#run("saveMany", undefined, async () => {
      const driver = this.#require("saveMany");
      const prepared = prepareBatch(vcons, this.#limits);
      const sizes = {
        maxCount: chunkSizeFor(options.chunkSize, driver.maxBatchSize),
        maxBytes: driver.maxBatchBytes ?? DEFAULT_BATCH_BYTES,
      };
      const chunks = await writeInChunks(
        prepared,
        sizes,
        (chunk) => driver.saveMany!(chunk),
        (error) => this.#toError(error),
      );
      return { result: { saved: new Set(prepared.map((p) => p.uuid)).size, chunks }, count: prepared.length };
    });
  }

  search(query: SearchQuery = {}, options?: ReadOptions): Promise<SearchPage> {
    return this.#run("search", undefined, async () => {
      const driver = this.#require("search");
      const normalized = normalizeSearchQuery(query);
      if (normalized.text !== undefined) this.#require("searchText");
      if (normalized.tags !== undefined) this.#require("searchTags");
      const read = normalizeReadOptions(options);
      const page = await (read ? driver.search!(normalized, read) : driver.search!(normalized));
      return { result: page, count: page.items.length };
    });
  }

  export(options: ExportOptions = {}): AsyncIterable<VconDocument> {
    // Checked now, so a bad call fails where it is made rather than on the first `next()`.
    this.#assertOpen();
    const driver = this.#require("export");
    const controller = new AbortController();
    const normalized = normalizeExportOptions(options, controller.signal);
    return this.#exportGenerator(driver, normalized, controller);
  }

  async *#exportGenerator(
    driver: StorageAdapter,
    options: ReturnType<typeof normalizeExportOptions>,
    controller: AbortController,
  ): AsyncGenerator<VconDocument> {
    this.#assertOpen();
    this.#exports.add(controller);
    const started = performance.now();
    let count = 0;
    let failure: StorageError | undefined;
    try {
      if (!this.#gate.isOpen) await this.#gate.opened();
      if (controller.signal.aborted) throw new ClosedError(CLOSED_DURING_EXPORT);
      for await (const document of driver.export!(options)) {
        if (controller.signal.aborted) throw new ClosedError(CLOSED_DURING_EXPORT);
        count++;
        yield document;
      }
      // An adapter that stops quietly on abort must not make a cut-short export look complete.
      if (controller.signal.aborted && this.#closing) throw new ClosedError(CLOSED_DURING_EXPORT);
    } catch (error) {
      // Whatever an adapter throws once close() aborted it (AbortError, a dropped cursor) means CLOSED.
      const closedUnderneath =
        controller.signal.aborted && this.#closing !== null && !isStorageError(error, "CLOSED");
      failure = closedUnderneath ? new ClosedError(CLOSED_DURING_EXPORT) : this.#toError(error);
      throw failure;
    } finally {
      controller.abort();
      this.#exports.delete(controller);
      this.#reporter.report({ operation: "export", durationMs: performance.now() - started, count }, failure);
    }
  }

  recordChanges(on: boolean): Promise<void> {
    return this.#run("recordChanges", undefined, async () => {
      const driver = this.#require("changes");
      if (typeof on !== "boolean") throw new ValidationError("recordChanges takes true or false.");
      return { result: await driver.recordChanges!(on) };
    });
  }

  readChanges(limit = DEFAULT_CHANGE_LIMIT): Promise<StorageChange[]> {
    return this.#run("readChanges", undefined, async () => {
      const driver = this.#require("changes");
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_CHANGE_LIMIT)
        throw new ValidationError(`readChanges takes a limit from 1 to ${MAX_CHANGE_LIMIT}.`);
      const changes = await driver.readChanges!(limit);
      return { result: changes, count: changes.length };
    });
  }

  acknowledgeChanges(ids: readonly string[]): Promise<void> {
    return this.#run("acknowledgeChanges", undefined, async () => {
      const driver = this.#require("changes");
      if (!Array.isArray(ids) || ids.some((id) => typeof id !== "string"))
        throw new ValidationError("acknowledgeChanges takes an array of change ids.");
      if (ids.length > 0) await driver.acknowledgeChanges!(ids);
      return { result: undefined, count: ids.length };
    });
  }

  pendingChanges(): Promise<ChangeBacklog> {
    return this.#run("pendingChanges", undefined, async () => {
      const driver = this.#require("changes");
      return { result: await driver.pendingChanges!() };
    });
  }

  claimChanges(consumer: string, options: { takeOver?: boolean } = {}): Promise<ChangeClaim> {
    return this.#run("claimChanges", undefined, async () => {
      const driver = this.#require("claimChanges");
      if (typeof consumer !== "string" || consumer.length === 0 || consumer.length > MAX_CONSUMER_LENGTH)
        throw new ValidationError(
          `claimChanges takes a consumer name of 1 to ${MAX_CONSUMER_LENGTH} characters.`,
        );
      const takeOver = options?.takeOver ?? false;
      if (typeof takeOver !== "boolean")
        throw new ValidationError("claimChanges takes takeOver: true or false.");
      return { result: await driver.claimChanges!(consumer, { takeOver }) };
    });
  }

  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closing = (async () => {
      const started = performance.now();
      for (const controller of this.#exports) controller.abort();
      await Promise.allSettled([...this.#inFlight]);
      // Never close an adapter that is still opening: what open() acquires would be left behind.
      await this.#gate.settled();
      let failure: StorageError | undefined;
      try {
        await this.#driver.close();
      } catch (error) {
        failure = this.#toError(error);
      }
      this.#reporter.report({ operation: "close", durationMs: performance.now() - started }, failure);
      if (failure) throw failure;
    })();
    return this.#closing;
  }

  // Keeps inspection and JSON of a storage free of its adapter's config (and so of any password).
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `VconStorage { name: ${JSON.stringify(this.name)}, adapterName: ${JSON.stringify(this.adapterName)}, closed: ${this.closed} }`;
  }

  // `adapter` stays next to `adapterName` for readers of 0.1's JSON (log pipelines, dashboards).
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      adapterName: this.adapterName,
      adapter: this.adapterName,
      capabilities: this.capabilities,
      closed: this.closed,
    };
  }

  #assertOpen(): void {
    if (this.#closing) throw new ClosedError(`Storage "${this.name}" is closed: create a new one to go on.`);
  }

  #require(capability: Capability): StorageAdapter {
    if (!this.capabilities[capability]) {
      throw new NotSupportedError(`Adapter "${this.adapterName}" does not support ${capability}.`);
    }
    return this.#driver;
  }

  async #run<T>(
    operation: OperationEvent["operation"],
    uuid: string | undefined,
    body: () => Promise<{ result: T; uuid?: string; count?: number }>,
  ): Promise<T> {
    const started = performance.now();
    // Open and not closing, the common path: the body straight away, no extra promise.
    const task =
      this.#closing === null && this.#gate.isOpen
        ? body()
        : (async () => {
            this.#assertOpen();
            await this.#gate.opened();
            return body();
          })();
    this.#inFlight.add(task);
    try {
      const outcome = await task;
      this.#reporter.report({
        operation,
        durationMs: performance.now() - started,
        // The reporter keeps only a canonical uuid: a caller's text never reaches the logs.
        uuid: outcome.uuid ?? uuid,
        count: outcome.count,
      });
      return outcome.result;
    } catch (error) {
      const failure = this.#toError(error);
      this.#reporter.report({ operation, durationMs: performance.now() - started, uuid }, failure);
      throw failure;
    } finally {
      this.#inFlight.delete(task);
    }
  }

  #toError(error: unknown): StorageError {
    return toStorageError(error, { storage: this.name });
  }
}

/** The document limits a storage enforces: its own, tightened by what the adapter can store. */
function writeLimits(driver: StorageAdapter, limits: DocumentLimits): DocumentLimits {
  const cap = driver.maxDocumentBytes;
  if (cap === undefined) return limits;
  if (!Number.isSafeInteger(cap) || cap < 1) {
    throw new InternalError(
      `Adapter "${driver.name}" declares maxDocumentBytes ${cap}: expected a positive integer.`,
    );
  }
  return cap < limits.maxDocumentBytes ? { ...limits, maxDocumentBytes: cap } : limits;
}
