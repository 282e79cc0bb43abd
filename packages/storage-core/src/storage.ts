import {
  CAPABILITIES,
  type Capability,
  type ExportOptions,
  type SearchPage,
  type SearchQuery,
  type StorageAdapter,
} from "./adapter.js";
import {
  DEFAULT_LIMITS,
  type DocumentLimits,
  type PreparedVcon,
  prepareVcon,
  type VconInput,
} from "./document.js";
import {
  ClosedError,
  InternalError,
  isStorageError,
  NotSupportedError,
  StorageError,
  UnavailableError,
  ValidationError,
  type ValidationIssue,
} from "./errors.js";
import { type Logger, type OperationEvent, silentLogger } from "./logger.js";
import { normalizeExportOptions, normalizeSearchQuery } from "./query.js";
import type { VconDocument } from "./types.js";
import { requireUuid } from "./uuid.js";

export interface SaveResult {
  /** The canonical uuid the vCon was stored under. */
  uuid: string;
}

export interface SaveManyOptions {
  /** Documents per transaction; capped by the adapter's `maxBatchSize`. */
  chunkSize?: number;
}

/** A range of input positions, `start` inclusive, `end` exclusive. */
export interface ChunkRange {
  start: number;
  end: number;
}

export interface SaveManyResult {
  /** Distinct uuids written (a uuid given twice is written once, last one wins). */
  saved: number;
  /** The chunks that were committed, in order. */
  chunks: ChunkRange[];
}

/** Thrown by `saveMany` when a chunk fails: the chunks in `landed` are stored, nothing after them is. */
export class BatchError extends StorageError {
  readonly landed: readonly ChunkRange[];
  readonly failed: ChunkRange;

  constructor(cause: StorageError, landed: ChunkRange[], failed: ChunkRange) {
    super(cause.code, `Batch save stopped at items ${failed.start}-${failed.end - 1}: ${cause.message}`, {
      cause,
      retryable: cause.retryable,
    });
    this.name = "BatchError";
    this.landed = landed;
    this.failed = failed;
  }
}

/** What applications use: the same API on every backend. */
export interface VconStorage {
  /** The configuration name of this storage (e.g. "primary"), or the adapter's name. */
  readonly name: string;
  /** The adapter's name, e.g. "postgres". */
  readonly adapter: string;
  readonly capabilities: Readonly<Record<Capability, boolean>>;
  readonly closed: boolean;
  supports(capability: Capability): boolean;
  /** Upsert by uuid. Accepts an object, or JSON text that is stored byte for byte. */
  save(vcon: VconInput): Promise<SaveResult>;
  /** The stored document, or `null` when there is none. */
  get(uuid: string): Promise<VconDocument | null>;
  /** True when a document was removed. */
  delete(uuid: string): Promise<boolean>;
  exists(uuid: string): Promise<boolean>;
  /** Checks every document first (nothing is written if one is bad), then writes chunk by chunk. */
  saveMany(vcons: readonly VconInput[], options?: SaveManyOptions): Promise<SaveManyResult>;
  search(query?: SearchQuery): Promise<SearchPage>;
  /** Every stored document (optionally in a created_at range) in (created_at, uuid) order. */
  export(options?: ExportOptions): AsyncIterable<VconDocument>;
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

class ManagedStorage implements VconStorage {
  readonly name: string;
  readonly adapter: string;
  readonly capabilities: Readonly<Record<Capability, boolean>>;
  #driver: StorageAdapter;
  #logger: Logger;
  #onOperation: ((event: OperationEvent) => void) | undefined;
  #limits: DocumentLimits;
  #closing: Promise<void> | null = null;
  #inFlight = new Set<Promise<unknown>>();
  #exports = new Set<AbortController>();

  constructor(driver: StorageAdapter, options: StorageOptions) {
    this.#driver = driver;
    this.adapter = driver.name;
    this.name = options.name ?? driver.name;
    this.#logger = options.logger ?? silentLogger;
    this.#onOperation = options.onOperation;
    this.#limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.capabilities = Object.freeze(readManifest(driver));
  }

  get closed(): boolean {
    return this.#closing !== null;
  }

  supports(capability: Capability): boolean {
    return this.capabilities[capability] === true;
  }

  save(vcon: VconInput): Promise<SaveResult> {
    return this.#run("save", undefined, async () => {
      const prepared = prepareVcon(vcon, this.#limits);
      await this.#driver.save(prepared);
      return { result: { uuid: prepared.uuid }, uuid: prepared.uuid };
    });
  }

  get(uuid: string): Promise<VconDocument | null> {
    return this.#run("get", uuid, async () => {
      const found = await this.#driver.get(requireUuid(uuid));
      if (found === undefined)
        throw new InternalError(`adapter "${this.adapter}" returned undefined from get`);
      return { result: found, count: found === null ? 0 : 1 };
    });
  }

  delete(uuid: string): Promise<boolean> {
    return this.#run("delete", uuid, async () => {
      const driver = this.#require("delete");
      return { result: Boolean(await driver.delete!(requireUuid(uuid))) };
    });
  }

  exists(uuid: string): Promise<boolean> {
    return this.#run("exists", uuid, async () => {
      const driver = this.#require("exists");
      return { result: Boolean(await driver.exists!(requireUuid(uuid))) };
    });
  }

  saveMany(vcons: readonly VconInput[], options: SaveManyOptions = {}): Promise<SaveManyResult> {
    return this.#run("saveMany", undefined, async () => {
      const driver = this.#require("saveMany");
      const prepared = this.#prepareBatch(vcons);
      const chunkSize = this.#chunkSize(options.chunkSize);
      const chunks: ChunkRange[] = [];
      for (const range of chunkRanges(
        prepared,
        chunkSize,
        this.#driver.maxBatchBytes ?? DEFAULT_BATCH_BYTES,
      )) {
        try {
          await driver.saveMany!(latestPerUuid(prepared.slice(range.start, range.end)));
        } catch (error) {
          throw new BatchError(this.#normalizeError(error), chunks, range);
        }
        chunks.push(range);
      }
      return { result: { saved: new Set(prepared.map((p) => p.uuid)).size, chunks }, count: prepared.length };
    });
  }

  search(query: SearchQuery = {}): Promise<SearchPage> {
    return this.#run("search", undefined, async () => {
      const driver = this.#require("search");
      const normalized = normalizeSearchQuery(query);
      if (normalized.text !== undefined) this.#require("searchText");
      if (normalized.tags !== undefined) this.#require("searchTags");
      const page = await driver.search!(normalized);
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
      for await (const document of driver.export!(options)) {
        if (controller.signal.aborted) throw new ClosedError("The storage was closed during export.");
        count++;
        yield document;
      }
      // An adapter that stops quietly on abort must not make a cut-short export look complete.
      if (controller.signal.aborted && this.#closing)
        throw new ClosedError("The storage was closed during export.");
    } catch (error) {
      // Whatever an adapter throws once close() aborted it (AbortError, a dropped cursor) means CLOSED.
      const closedUnderneath =
        controller.signal.aborted && this.#closing !== null && !isStorageError(error, "CLOSED");
      failure = closedUnderneath
        ? new ClosedError("The storage was closed during export.")
        : this.#normalizeError(error);
      throw failure;
    } finally {
      controller.abort();
      this.#exports.delete(controller);
      this.#report({ operation: "export", durationMs: performance.now() - started, count }, failure);
    }
  }

  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closing = (async () => {
      const started = performance.now();
      for (const controller of this.#exports) controller.abort();
      await Promise.allSettled([...this.#inFlight]);
      let failure: StorageError | undefined;
      try {
        await this.#driver.close();
      } catch (error) {
        failure = this.#normalizeError(error);
      }
      this.#report({ operation: "close", durationMs: performance.now() - started }, failure);
      if (failure) throw failure;
    })();
    return this.#closing;
  }

  // Keeps inspection and JSON of a storage free of its adapter's config (and so of any password).
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `VconStorage { name: ${JSON.stringify(this.name)}, adapter: ${JSON.stringify(this.adapter)}, closed: ${this.closed} }`;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, adapter: this.adapter, capabilities: this.capabilities, closed: this.closed };
  }

  #assertOpen(): void {
    if (this.#closing) throw new ClosedError(`Storage "${this.name}" is closed: create a new one to go on.`);
  }

  #require(capability: Capability): StorageAdapter {
    if (!this.capabilities[capability]) {
      throw new NotSupportedError(`Adapter "${this.adapter}" does not support ${capability}.`);
    }
    return this.#driver;
  }

  #chunkSize(requested: number | undefined): number {
    const cap = this.#driver.maxBatchSize ?? 1000;
    if (requested === undefined) return cap;
    if (!Number.isInteger(requested) || requested < 1) {
      throw new ValidationError("Invalid saveMany options", [
        { path: "options.chunkSize", message: "expected a positive integer" },
      ]);
    }
    return Math.min(requested, cap);
  }

  #prepareBatch(vcons: readonly VconInput[]): PreparedVcon[] {
    if (!Array.isArray(vcons)) {
      throw new ValidationError("saveMany takes an array of vCons", [{ path: "$", message: "not an array" }]);
    }
    const prepared: PreparedVcon[] = [];
    const issues: ValidationIssue[] = [];
    vcons.forEach((vcon, index) => {
      try {
        prepared.push(prepareVcon(vcon, this.#limits));
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        for (const issue of error.issues)
          issues.push({ ...issue, path: issue.path.replace(/^\$/, `$[${index}]`) });
      }
    });
    if (issues.length > 0)
      throw new ValidationError("Batch rejected, nothing was written", issues.slice(0, 100));
    return prepared;
  }

  async #run<T>(
    operation: OperationEvent["operation"],
    uuid: string | undefined,
    body: () => Promise<{ result: T; uuid?: string; count?: number }>,
  ): Promise<T> {
    const started = performance.now();
    const task = (async () => {
      this.#assertOpen();
      return body();
    })();
    this.#inFlight.add(task);
    try {
      const outcome = await task;
      this.#report({
        operation,
        durationMs: performance.now() - started,
        uuid: outcome.uuid ?? uuid,
        count: outcome.count,
      });
      return outcome.result;
    } catch (error) {
      const failure = this.#normalizeError(error);
      this.#report({ operation, durationMs: performance.now() - started, uuid }, failure);
      throw failure;
    } finally {
      this.#inFlight.delete(task);
    }
  }

  #normalizeError(error: unknown): StorageError {
    if (isStorageError(error)) return error;
    if (isNetworkError(error)) {
      return new UnavailableError(`Storage "${this.name}" is unreachable: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const message = error instanceof Error ? error.message : String(error);
    return new InternalError(`Adapter "${this.adapter}" failed: ${message}`, { cause: error });
  }

  #report(event: Omit<OperationEvent, "storage" | "adapter" | "ok">, failure?: StorageError): void {
    const full: OperationEvent = { storage: this.name, adapter: this.adapter, ok: !failure, ...event };
    if (full.uuid === undefined) delete full.uuid;
    if (full.count === undefined) delete full.count;
    if (failure) {
      full.code = failure.code;
      const level = failure.code === "VALIDATION" || failure.code === "NOT_SUPPORTED" ? "debug" : "warn";
      this.#logger[level]({ ...full, err: failure }, `vcon storage ${event.operation} failed`);
    } else {
      this.#logger.debug(full, `vcon storage ${event.operation}`);
    }
    try {
      this.#onOperation?.(full);
    } catch {
      // A metrics hook must never break storage.
    }
  }
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
]);

/** True for Node's socket-level failures: the backend could not be reached. */
export function isNetworkError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && NETWORK_CODES.has(code);
}

/** The method each capability stands for: search features are filters of `search`. */
const CAPABILITY_METHOD: Readonly<Record<Capability, Capability & keyof StorageAdapter>> = {
  delete: "delete",
  exists: "exists",
  saveMany: "saveMany",
  search: "search",
  export: "export",
  searchText: "search",
  searchTags: "search",
};

function readManifest(driver: StorageAdapter): Record<Capability, boolean> {
  const manifest = {} as Record<Capability, boolean>;
  for (const capability of CAPABILITIES) {
    const declared = driver.capabilities?.[capability] === true;
    const method = CAPABILITY_METHOD[capability];
    if (declared && (typeof driver[method] !== "function" || driver.capabilities?.[method] !== true)) {
      throw new InternalError(`Adapter "${driver.name}" declares ${capability} but does not implement ${method}.`);
    }
    manifest[capability] = declared;
  }
  return manifest;
}

/** 64 MiB of JSON per chunk unless the adapter says otherwise: large recordings make small chunks. */
const DEFAULT_BATCH_BYTES = 64 * 1024 * 1024;

/** Consecutive ranges of at most `maxCount` documents and `maxBytes` of JSON (at least one document each). */
function chunkRanges(prepared: readonly PreparedVcon[], maxCount: number, maxBytes: number): ChunkRange[] {
  const ranges: ChunkRange[] = [];
  let start = 0;
  let bytes = 0;
  prepared.forEach((vcon, index) => {
    const full = index - start >= maxCount || (index > start && bytes + vcon.bytes > maxBytes);
    if (full) {
      ranges.push({ start, end: index });
      start = index;
      bytes = 0;
    }
    bytes += vcon.bytes;
  });
  if (start < prepared.length) ranges.push({ start, end: prepared.length });
  return ranges;
}

/** A uuid given twice in one chunk is written once, with its last body: upsert semantics. */
function latestPerUuid(chunk: PreparedVcon[]): PreparedVcon[] {
  const byUuid = new Map<string, PreparedVcon>();
  for (const vcon of chunk) {
    byUuid.delete(vcon.uuid);
    byUuid.set(vcon.uuid, vcon);
  }
  return byUuid.size === chunk.length ? chunk : [...byUuid.values()];
}
