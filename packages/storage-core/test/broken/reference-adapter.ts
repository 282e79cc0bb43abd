/**
 * A small correct adapter for core's own tests (core cannot depend on @vcon/storage-memory, which
 * depends on core). The broken adapters in ./adapters.ts each override one part with a classic mistake.
 * It counts its open "connections" for the suite's `openResources` hook.
 * Its records live in a `ReferenceBackend`, which can be told to refuse writes of chosen uuids: the
 * suite's `failWrites` hook, as a SQL adapter would implement it with a trigger. Its change log is
 * written in the same step as the records, as a trigger writes it in the write's own transaction.
 */
import {
  type ChangeBacklog,
  type ChangeClaim,
  ClosedError,
  compareRecords,
  cursorOf,
  type IndexedRecord,
  matchesQuery,
  type NormalizedExportOptions,
  type NormalizedSearchQuery,
  type PreparedVcon,
  type SearchPage,
  type StorageAdapter,
  type StorageChange,
  searchTextOf,
  tagsOf,
  type VconDocument,
} from "../../src/adapter-kit.js";

export interface StoredRecord extends IndexedRecord {
  json: string;
}

/** Uuids every reference backend of this process refuses to write (one fixture file per process). */
const refused = new Set<string>();

/** The failWrites / restoreWrites hooks of the conformance options, for reference-based fixtures. */
export const referenceHooks = {
  failWrites: (uuid: string) => {
    refused.add(uuid);
  },
  restoreWrites: () => refused.clear(),
  openResources: () => backendConnections.open,
};

/** Connections the reference backends hold: the suite's openResources hook reads it. */
export const backendConnections = { open: 0 };

/** One row of a reference backend's change log, as a trigger would insert it. */
export interface ChangeEntry {
  uuid: string;
  recordedMs: number;
  /** The text this write stored (null for a delete): what a careless log hands out instead of the row. */
  written: string | null;
}

/** An in-memory "database": commits are all-or-nothing, and refused uuids fail inside it. */
export class ReferenceBackend {
  readonly records = new Map<string, StoredRecord>();
  /** The change log by id, in recording order (a Map keeps insertion order). */
  readonly changes = new Map<string, ChangeEntry>();
  recording = false;
  /** Who consumes the change log (claimChanges), or null when nobody does. */
  claim: ChangeClaim | null = null;
  /** The change log's sequence: the next change's id. */
  nextChangeId = 1;

  /**
   * Throws, writing nothing (no record, no change), when one record is refused. `logged: false` is the
   * write without its trigger, for the broken adapters that record their changes some other way.
   */
  commit(records: readonly StoredRecord[], { logged = true } = {}): void {
    for (const record of records) this.check(record.uuid);
    for (const record of records) {
      this.records.set(record.uuid, record);
      if (logged) this.logChange(record.uuid, record.json);
    }
  }

  /** Deletes a record: a write, so it is logged when there was one to delete. */
  remove(uuid: string): boolean {
    const removed = this.records.delete(uuid);
    if (removed) this.logChange(uuid, null);
    return removed;
  }

  /** What the trigger does on every write while recording is on. */
  logChange(uuid: string, written: string | null): void {
    if (!this.recording) return;
    this.changes.set(String(this.nextChangeId++), { uuid, recordedMs: Date.now(), written });
  }

  /** What a trigger does: the write of this row fails. */
  check(uuid: string): void {
    if (refused.has(uuid)) throw new Error(`backend: writes of ${uuid} are refused (test trigger)`);
  }
}

export class ReferenceAdapter implements StorageAdapter {
  readonly name: string = "reference";
  readonly capabilities = {
    delete: true,
    exists: true,
    saveMany: true,
    search: true,
    export: true,
    searchText: true,
    searchTags: true,
    changes: true,
    claimChanges: true,
  };
  protected backend = new ReferenceBackend();
  protected closed = false;

  constructor() {
    backendConnections.open++;
  }

  protected get records(): Map<string, StoredRecord> {
    this.assertOpen();
    return this.backend.records;
  }

  async save(vcon: PreparedVcon): Promise<void> {
    this.assertOpen();
    this.backend.commit([this.toRecord(vcon)]);
  }

  async saveMany(chunk: readonly PreparedVcon[]): Promise<void> {
    this.assertOpen();
    this.backend.commit(chunk.map((vcon) => this.toRecord(vcon)));
  }

  async get(uuid: string): Promise<VconDocument | null> {
    const record = this.records.get(uuid);
    return record ? JSON.parse(record.json) : null;
  }

  async exists(uuid: string): Promise<boolean> {
    return this.records.has(uuid);
  }

  async delete(uuid: string): Promise<boolean> {
    this.assertOpen();
    return this.backend.remove(uuid);
  }

  async search(query: NormalizedSearchQuery): Promise<SearchPage> {
    const matches = this.matching(query);
    const page = matches.slice(0, query.limit);
    return {
      items: page.map((record) => JSON.parse(record.json)),
      nextCursor: matches.length > query.limit ? cursorOf(page.at(-1)!) : null,
    };
  }

  async *export(options: NormalizedExportOptions): AsyncIterable<VconDocument> {
    // One snapshot: documents changed meanwhile do not move under the export.
    for (const record of this.matching(options)) {
      if (options.signal.aborted) return;
      yield JSON.parse(record.json);
    }
  }

  async recordChanges(on: boolean): Promise<void> {
    this.assertOpen();
    this.backend.recording = on;
    if (!on) {
      this.backend.changes.clear();
      this.backend.claim = null;
    }
  }

  async claimChanges(consumer: string, { takeOver }: { takeOver: boolean }): Promise<ChangeClaim> {
    this.assertOpen();
    const claim = this.backend.claim;
    if (claim === null || claim.holder === consumer || takeOver) {
      this.backend.claim = { holder: consumer, claimedMs: Date.now() };
    }
    return { ...this.backend.claim! };
  }

  async readChanges(limit: number): Promise<StorageChange[]> {
    const changes: StorageChange[] = [];
    for (const [id, entry] of this.changeLog) {
      if (changes.length === limit) break;
      changes.push(this.toChange(id, entry));
    }
    return changes;
  }

  async acknowledgeChanges(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.changeLog.delete(id);
  }

  async pendingChanges(): Promise<ChangeBacklog> {
    let oldestMs: number | null = null;
    for (const { recordedMs } of this.changeLog.values())
      oldestMs = Math.min(oldestMs ?? recordedMs, recordedMs);
    return { count: this.changeLog.size, oldestMs };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    backendConnections.open--;
    this.backend.records.clear();
    this.backend.changes.clear();
  }

  protected get changeLog(): Map<string, ChangeEntry> {
    this.assertOpen();
    return this.backend.changes;
  }

  /** A change as read: with the uuid's state now, not the text its write stored. */
  protected toChange(id: string, { uuid, recordedMs }: ChangeEntry): StorageChange {
    return { id, uuid, json: this.backend.records.get(uuid)?.json ?? null, recordedMs };
  }

  protected assertOpen(): void {
    if (this.closed) throw new ClosedError("reference adapter is closed");
  }

  protected matching(query: Parameters<typeof matchesQuery>[1]): StoredRecord[] {
    return [...this.records.values()].filter((record) => matchesQuery(record, query)).sort(compareRecords);
  }

  protected toRecord(vcon: PreparedVcon): StoredRecord {
    const createdAtMs = vcon.createdAtMs ?? this.records.get(vcon.uuid)?.createdAtMs ?? Date.now();
    return {
      uuid: vcon.uuid,
      json: vcon.json,
      createdAtMs,
      subject: vcon.subject,
      parties: vcon.parties,
      text: searchTextOf(vcon),
      tags: tagsOf(vcon),
    };
  }
}

/** The reference adapter with a declared document limit, as a MariaDB adapter declares max_allowed_packet. */
export class LimitedReferenceAdapter extends ReferenceAdapter {
  readonly maxDocumentBytes = 64 * 1024;
}

/** The reference adapter with a small maxBatchSize, as a Redis Cluster adapter declares 1. */
export class SmallBatchReferenceAdapter extends ReferenceAdapter {
  constructor(readonly maxBatchSize: number) {
    super();
  }
}
