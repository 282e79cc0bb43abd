import type { PreparedVcon } from "./document.js";
import type { VconDocument } from "./types.js";

/**
 * The optional capabilities. `save`, `get` and `close` are always there. Most name a method; the
 * search features (`searchText`, `searchTags`) say which filters the adapter's `search` understands;
 * `changes` stands for the change log's four methods (`recordChanges`, `readChanges`,
 * `acknowledgeChanges`, `pendingChanges`); `claimChanges` builds on it.
 */
export const CAPABILITIES = [
  "delete",
  "exists",
  "saveMany",
  "search",
  "export",
  "searchText",
  "searchTags",
  "changes",
  "claimChanges",
] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** What an adapter declares it can do. A capability left out is `false`. */
export type CapabilityManifest = Partial<Record<Capability, boolean>>;

/**
 * One write the backend recorded in its change log (the `changes` capability), with the uuid's state
 * as it is when the change is read, not as it was written: a consumer that copies `json` (or deletes
 * when it is null) converges on the backend, whatever order it reads the changes in.
 */
export interface StorageChange {
  /** Opaque; pass it back to `acknowledgeChanges`. Ids grow in recording order. */
  id: string;
  uuid: string;
  /** The stored JSON text of the uuid now, byte for byte as `get` parses it; null when none is stored. */
  json: string | null;
  /** When the write was recorded (epoch milliseconds). */
  recordedMs: number;
}

/** How much of the change log is not acknowledged yet. */
export interface ChangeBacklog {
  count: number;
  /** `recordedMs` of the oldest unacknowledged change, or null when there is none. */
  oldestMs: number | null;
}

/**
 * Who consumes the change log (the `claimChanges` capability). Reading does not consume, but
 * acknowledging does: two consumers would each forget changes the other never saw, so a change log
 * has one consumer at a time, recorded by the backend itself where every client sees it.
 */
export interface ChangeClaim {
  /** The consumer holding the claim. The caller holds it when this is the name it passed. */
  holder: string;
  /** When the holder last claimed (epoch milliseconds, the backend's clock): how alive it looks. */
  claimedMs: number;
}

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
  /**
   * The change log (capability `changes`): a transactional outbox kept by the backend, so a service can
   * copy every write to other storages without a journal of its own in series with each write.
   * - `recordChanges(true)` turns recording on, durably (it stays on across restarts and for every
   *   client of the backend) and idempotently; once it resolves, every committed write (save,
   *   saveMany, delete, by any client) records one change per uuid it wrote, in the write's own
   *   transaction: no write commits without its change, a write that fails records none.
   *   `recordChanges(false)` turns it off and forgets every unacknowledged change.
   * - `readChanges(limit)`: up to `limit` unacknowledged changes, lowest id first. Reading does not
   *   consume. A change can become visible after one with a higher id (commits finish out of order),
   *   so consumers acknowledge by id and never skip ahead of an id they have not seen.
   * - `acknowledgeChanges(ids)` forgets exactly those changes (unknown ids are ignored).
   * - `pendingChanges()` counts what is unacknowledged.
   */
  recordChanges?(on: boolean): Promise<void>;
  readChanges?(limit: number): Promise<StorageChange[]>;
  acknowledgeChanges?(ids: readonly string[]): Promise<void>;
  pendingChanges?(): Promise<ChangeBacklog>;
  /**
   * The change log's one consumer (capability `claimChanges`, which needs `changes`), kept durably by
   * the backend. `claimChanges(consumer)` takes the claim when nobody holds it, renews it (a new
   * `claimedMs`) when `consumer` holds it, and otherwise changes nothing; either way it answers who
   * holds it now. `{ takeOver: true }` gives it to `consumer` whoever held it. `recordChanges(false)`
   * releases it. Core passes a non-empty `consumer` of at most 200 characters.
   */
  claimChanges?(consumer: string, options: { takeOver: boolean }): Promise<ChangeClaim>;
}
