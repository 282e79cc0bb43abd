import {
  type ChangeBacklog,
  type ChangeClaim,
  type NormalizedExportOptions,
  type NormalizedSearchQuery,
  type PreparedVcon,
  type ScanRecord,
  type SearchPage,
  type StorageAdapter,
  type StorageChange,
  scanMatches,
  scanSearch,
  toScanRecord,
  type VconDocument,
  vconSearchText,
  vconTags,
} from "@vcon/storage-core/adapter";
import { ChangeLog } from "./change-log.js";
import { NAME } from "./options.js";

/**
 * Adds the text and tag search keys to a record, computed from its JSON on first use: a save pays
 * nothing for a text or tag search that may never come, and the first such search pays once per record.
 */
function withLazyContentKeys(record: ScanRecord): ScanRecord {
  let content: { text: string[]; tags: string[] } | undefined;
  const load = () => {
    if (content === undefined) {
      const document = JSON.parse(record.json) as Record<string, unknown>;
      content = { text: vconSearchText(document), tags: vconTags(document) };
    }
    return content;
  };
  return Object.defineProperties(record, {
    text: { get: () => load().text, enumerable: true },
    tags: { get: () => load().tags, enumerable: true },
  });
}

/**
 * The reference adapter: every capability, in the simplest correct form, on core's shared scan helpers
 * (the created_at rule, reference filters, order and cursors). Documents live in a Map for the life of
 * the process, kept as JSON text so every read hands out a fresh copy. The change log is the adapter's
 * own too: recording is per instance, since nothing here outlives it.
 */
export class MemoryAdapter implements StorageAdapter {
  readonly name = NAME;
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
  readonly maxBatchSize = 10_000;
  #documents = new Map<string, ScanRecord>();
  #changes = new ChangeLog();

  /** How many documents are stored. */
  get size(): number {
    return this.#documents.size;
  }

  async save(vcon: PreparedVcon): Promise<void> {
    this.#documents.set(vcon.uuid, this.#toStored(vcon));
    this.#changes.record([vcon.uuid]);
  }

  async saveMany(chunk: readonly PreparedVcon[]): Promise<void> {
    // Build every record before touching the map, so a chunk lands whole or not at all.
    const records = chunk.map((vcon) => this.#toStored(vcon));
    for (const record of records) this.#documents.set(record.uuid, record);
    this.#changes.record(records.map((record) => record.uuid));
  }

  async get(uuid: string): Promise<VconDocument | null> {
    const stored = this.#documents.get(uuid);
    return stored ? (JSON.parse(stored.json) as VconDocument) : null;
  }

  async exists(uuid: string): Promise<boolean> {
    return this.#documents.has(uuid);
  }

  async delete(uuid: string): Promise<boolean> {
    const deleted = this.#documents.delete(uuid);
    if (deleted) this.#changes.record([uuid]);
    return deleted;
  }

  async search(query: NormalizedSearchQuery): Promise<SearchPage> {
    return scanSearch(this.#documents.values(), query);
  }

  async *export(options: NormalizedExportOptions): AsyncIterable<VconDocument> {
    // A snapshot of the order; documents deleted meanwhile are skipped, updated ones read fresh.
    for (const { uuid } of scanMatches(this.#documents.values(), options)) {
      if (options.signal.aborted) return;
      const current = this.#documents.get(uuid);
      if (current) yield JSON.parse(current.json) as VconDocument;
    }
  }

  async recordChanges(on: boolean): Promise<void> {
    this.#changes.setRecording(on);
  }

  async readChanges(limit: number): Promise<StorageChange[]> {
    // The state as it is now, not as it was written: a consumer copying it converges on this adapter.
    return this.#changes.read(limit).map(([id, { uuid, recordedMs }]) => ({
      id,
      uuid,
      json: this.#documents.get(uuid)?.json ?? null,
      recordedMs,
    }));
  }

  async acknowledgeChanges(ids: readonly string[]): Promise<void> {
    this.#changes.acknowledge(ids);
  }

  async pendingChanges(): Promise<ChangeBacklog> {
    return this.#changes.backlog();
  }

  async claimChanges(consumer: string, { takeOver }: { takeOver: boolean }): Promise<ChangeClaim> {
    return this.#changes.claim(consumer, takeOver);
  }

  async close(): Promise<void> {
    this.#documents.clear();
    this.#changes.setRecording(false);
  }

  #toStored(vcon: PreparedVcon): ScanRecord {
    return withLazyContentKeys(toScanRecord(vcon, this.#documents.get(vcon.uuid)));
  }
}
