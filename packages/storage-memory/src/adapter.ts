import {
  compareRecords,
  cursorOf,
  type IndexedRecord,
  matchesQuery,
  type NormalizedExportOptions,
  type NormalizedSearchQuery,
  type PreparedVcon,
  type SearchPage,
  type StorageAdapter,
  searchTextOf,
  tagsOf,
  type VconDocument,
} from "@vcon/storage-core";
import { NAME } from "./options.js";

interface StoredVcon extends IndexedRecord {
  /** Kept as text so every read hands out a fresh copy. */
  json: string;
}

/**
 * The reference adapter: every capability, in the simplest correct form.
 * Documents live in a Map for the life of the process.
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
  #documents = new Map<string, StoredVcon>();

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
    const matches = [...this.#documents.values()].filter((r) => matchesQuery(r, query)).sort(compareRecords);
    const page = matches.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => JSON.parse(r.json) as VconDocument),
      nextCursor: matches.length > query.limit && last ? cursorOf(last) : null,
    };
  }

  async *export(options: NormalizedExportOptions): AsyncIterable<VconDocument> {
    // A snapshot of the order; documents deleted meanwhile are skipped, updated ones read fresh.
    const order = [...this.#documents.values()].filter((r) => matchesQuery(r, options)).sort(compareRecords);
    for (const { uuid } of order) {
      if (options.signal.aborted) return;
      const current = this.#documents.get(uuid);
      if (current) yield JSON.parse(current.json) as VconDocument;
    }
  }

  async close(): Promise<void> {
    this.#documents.clear();
  }

  #toStored(vcon: PreparedVcon): StoredVcon {
    const createdAtMs = vcon.createdAtMs ?? this.#documents.get(vcon.uuid)?.createdAtMs ?? Date.now();
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
