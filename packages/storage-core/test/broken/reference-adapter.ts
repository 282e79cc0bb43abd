/**
 * A small correct adapter for core's own tests (core cannot depend on @vcon/storage-memory, which
 * depends on core). The broken adapters below each override one method with a classic mistake.
 */
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
  type VconDocument,
} from "../../src/index.js";

export interface StoredRecord extends IndexedRecord {
  json: string;
}

export class ReferenceAdapter implements StorageAdapter {
  readonly name: string = "reference";
  readonly capabilities = { delete: true, exists: true, saveMany: true, search: true, export: true };
  protected records = new Map<string, StoredRecord>();

  async save(vcon: PreparedVcon): Promise<void> {
    this.records.set(vcon.uuid, this.toRecord(vcon));
  }

  async saveMany(chunk: readonly PreparedVcon[]): Promise<void> {
    const records = chunk.map((vcon) => this.toRecord(vcon));
    for (const record of records) this.records.set(record.uuid, record);
  }

  async get(uuid: string): Promise<VconDocument | null> {
    const record = this.records.get(uuid);
    return record ? JSON.parse(record.json) : null;
  }

  async exists(uuid: string): Promise<boolean> {
    return this.records.has(uuid);
  }

  async delete(uuid: string): Promise<boolean> {
    return this.records.delete(uuid);
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
    for (const record of this.matching(options)) {
      if (options.signal.aborted) return;
      yield JSON.parse(record.json);
    }
  }

  async close(): Promise<void> {
    this.records.clear();
  }

  protected matching(query: Parameters<typeof matchesQuery>[1]): StoredRecord[] {
    return [...this.records.values()].filter((record) => matchesQuery(record, query)).sort(compareRecords);
  }

  protected toRecord(vcon: PreparedVcon): StoredRecord {
    const createdAtMs = vcon.createdAtMs ?? this.records.get(vcon.uuid)?.createdAtMs ?? Date.now();
    return { uuid: vcon.uuid, json: vcon.json, createdAtMs, subject: vcon.subject, parties: vcon.parties };
  }
}
