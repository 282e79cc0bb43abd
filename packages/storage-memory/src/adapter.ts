import {
  type NormalizedExportOptions,
  type NormalizedSearchQuery,
  type PreparedVcon,
  type ScanRecord,
  type SearchPage,
  type StorageAdapter,
  scanMatches,
  scanSearch,
  toScanRecord,
  type VconDocument,
  vconSearchText,
  vconTags,
} from "@vcon/storage-core/adapter";
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
 * the process, kept as JSON text so every read hands out a fresh copy.
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
  };
  readonly maxBatchSize = 10_000;
  #documents = new Map<string, ScanRecord>();

  /** How many documents are stored. */
  get size(): number {
    return this.#documents.size;
  }

  async save(vcon: PreparedVcon): Promise<void> {
    this.#documents.set(vcon.uuid, this.#toStored(vcon));
  }

  async saveMany(chunk: readonly PreparedVcon[]): Promise<void> {
    // Build every record before touching the map, so a chunk lands whole or not at all.
    const records = chunk.map((vcon) => this.#toStored(vcon));
    for (const record of records) this.#documents.set(record.uuid, record);
  }

  async get(uuid: string): Promise<VconDocument | null> {
    const stored = this.#documents.get(uuid);
    return stored ? (JSON.parse(stored.json) as VconDocument) : null;
  }

  async exists(uuid: string): Promise<boolean> {
    return this.#documents.has(uuid);
  }

  async delete(uuid: string): Promise<boolean> {
    return this.#documents.delete(uuid);
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

  async close(): Promise<void> {
    this.#documents.clear();
  }

  #toStored(vcon: PreparedVcon): ScanRecord {
    return withLazyContentKeys(toScanRecord(vcon, this.#documents.get(vcon.uuid)));
  }
}
