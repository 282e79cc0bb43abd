import type { PreparedVcon } from "./document.js";
import type { VconDocument } from "./types.js";

/**
 * The optional capabilities. `save`, `get` and `close` are always there. Most name a method; the
 * search features (`searchText`, `searchTags`) say which filters the adapter's `search` understands.
 */
export const CAPABILITIES = [
  "delete",
  "exists",
  "saveMany",
  "search",
  "export",
  "searchText",
  "searchTags",
] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** What an adapter declares it can do. A capability left out is `false`. */
export type CapabilityManifest = Partial<Record<Capability, boolean>>;

/** A position in the (created_at, uuid) order, as carried by an opaque cursor. */
export interface CursorPosition {
  /** The sort key's time as the adapter stores it (ISO 8601). */
  createdAt: string;
  uuid: string;
}

/** Search filters as callers write them. All given filters must match (AND). */
export interface SearchQuery {
  /** Exact match on any party's `tel`. */
  tel?: string;
  /** Match on any party's `mailto`, ignoring case. */
  mailto?: string;
  /** Case-insensitive substring of any party's `name`. */
  name?: string;
  /** Case-insensitive substring of the `subject`. */
  subject?: string;
  /**
   * Case-insensitive substring of the vCon's searchable text (subject, party names, text dialogs,
   * analysis bodies: `vconSearchText`). At least 3 characters. Needs the `searchText` capability.
   */
  text?: string;
  /**
   * A tag (`key:value`, or a bare `key` matching any value) of the vCon's tags attachment; several
   * tags must all be present. Needs the `searchTags` capability.
   */
  tag?: string | readonly string[];
  /** created_at at or after this time (inclusive). */
  since?: Date | string;
  /** created_at before this time (exclusive). */
  until?: Date | string;
  /** Page size, 1 to 1000; 100 when left out. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string | null;
}

/** A query after core has checked it: what adapters receive. */
export interface NormalizedSearchQuery {
  tel?: string;
  /** Already lower case. */
  mailto?: string;
  /** Already lower case. */
  name?: string;
  /** Already lower case. */
  subject?: string;
  /** Already lower case; only sent to adapters that declare `searchText`. */
  text?: string;
  /** Distinct tag filters, all of which must match; only sent to adapters that declare `searchTags`. */
  tags?: string[];
  since?: Date;
  until?: Date;
  limit: number;
  after: CursorPosition | null;
}

export interface SearchPage {
  /** Matching documents in (created_at, uuid) order. */
  items: VconDocument[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * How fresh a read must be, for adapters that read from replicas. `"primary"` reads from the server
 * that takes the writes (always current); `"any"` (the default) lets the adapter pick a replica, which
 * may lag behind. Adapters with one server ignore it.
 */
export interface ReadOptions {
  consistency?: "primary" | "any";
}

export interface ExportOptions extends ReadOptions {
  since?: Date | string;
  until?: Date | string;
  /** Documents fetched per round trip, where the backend batches. */
  batchSize?: number;
}

export interface NormalizedExportOptions {
  since?: Date;
  until?: Date;
  batchSize: number;
  /** Aborted when the storage closes or the consumer stops early. */
  signal: AbortSignal;
  /** Present only when the caller asked for it. */
  consistency?: ReadOptions["consistency"];
}

/**
 * What an adapter implements. Core's `fromAdapter` wraps it into a `VconStorage`, which checks input,
 * enforces `close()`, gates capabilities, times and logs every call, so adapters stay small.
 *
 * Rules every adapter follows (the conformance suite checks them):
 * - `save` is an upsert by uuid; when the vCon has no created_at, a stored row keeps its own.
 * - `get` returns a fresh copy, or `null` for a missing uuid.
 * - `saveMany` writes one chunk atomically: all of it or none of it.
 * - Errors are `StorageError`s (core classifies anything else with `toStorageError`: socket-level
 *   failures as a retryable `UNAVAILABLE`, the rest as `INTERNAL`).
 */
export interface StorageAdapter {
  /** The configuration name, e.g. "postgres". */
  readonly name: string;
  readonly capabilities: CapabilityManifest;
  /** Largest chunk `saveMany` should receive. */
  readonly maxBatchSize?: number;
  /** Largest chunk, in bytes of JSON, `saveMany` should receive (64 MiB when left out). */
  readonly maxBatchBytes?: number;
  /**
   * Largest single document the backend can take, in UTF-8 bytes of its JSON (e.g. MariaDB's
   * `max_allowed_packet`). Core refuses bigger ones with `VALIDATION` before calling `save` or
   * `saveMany`, under the smaller of this and the storage's `limits.maxDocumentBytes`.
   */
  readonly maxDocumentBytes?: number;
  /**
   * Connects, checks or migrates: whatever must happen before the first operation. Core calls it once,
   * before the first operation that needs the adapter; operations called meanwhile wait for it.
   *
   * When it rejects, the waiting operations reject with its error (classified like any other) and the
   * NEXT operation calls `open()` again, so a backend that comes up later is picked up without a
   * restart: leave nothing half-open behind a rejection, or reuse it on the next try. `close()` waits
   * for a running `open()` to settle, then calls the adapter's `close()` exactly once, whether `open()`
   * ran, failed or never started; after it, every operation rejects with `CLOSED` and `open()` is not
   * called again. Omit it when the constructor (or `create`) already leaves the adapter ready.
   */
  open?(): Promise<void>;
  save(vcon: PreparedVcon): Promise<void>;
  /** `options` is passed only when the caller gave read options (checked by core). */
  get(uuid: string, options?: ReadOptions): Promise<VconDocument | null>;
  close(): Promise<void>;
  delete?(uuid: string): Promise<boolean>;
  exists?(uuid: string, options?: ReadOptions): Promise<boolean>;
  saveMany?(chunk: readonly PreparedVcon[]): Promise<void>;
  search?(query: NormalizedSearchQuery, options?: ReadOptions): Promise<SearchPage>;
  export?(options: NormalizedExportOptions): AsyncIterable<VconDocument>;
}
