// test/readme/scan-adapter.example.ts
import {
  defineAdapter,
  type NormalizedSearchQuery,
  type PreparedVcon,
  type ScanRecord,
  type SearchPage,
  type StorageAdapter,
  scanSearch,
  toScanRecord,
  type VconDocument,
} from "@vcon/storage-core/adapter";
import { z } from "zod";

/** Search over records kept in memory: core's reference semantics do the filtering, order and paging. */
export class ScanAdapter implements StorageAdapter {
  readonly name = "scan";
  readonly capabilities = { delete: true, exists: true, saveMany: true, search: true };
  readonly maxDocumentBytes = 8 * 1024 * 1024; // the backend's own limit: core refuses bigger ones
  opens = 0;
  #records = new Map<string, ScanRecord>();

  async open(): Promise<void> {
    this.opens++; // connect here: core calls open() once, before the first operation
  }

  async save(vcon: PreparedVcon): Promise<void> {
    // An update without created_at keeps the stored one: toScanRecord applies the rule.
    this.#records.set(vcon.uuid, toScanRecord(vcon, this.#records.get(vcon.uuid)));
  }

  async saveMany(chunk: readonly PreparedVcon[]): Promise<void> {
    const records = chunk.map((vcon) => toScanRecord(vcon, this.#records.get(vcon.uuid)));
    for (const record of records) this.#records.set(record.uuid, record); // all built first: all or nothing
  }

  async get(uuid: string): Promise<VconDocument | null> {
    const record = this.#records.get(uuid);
    return record ? (JSON.parse(record.json) as VconDocument) : null;
  }

  async exists(uuid: string): Promise<boolean> {
    return this.#records.has(uuid);
  }

  async delete(uuid: string): Promise<boolean> {
    return this.#records.delete(uuid);
  }

  async search(query: NormalizedSearchQuery): Promise<SearchPage> {
    return scanSearch(this.#records.values(), query);
  }

  async close(): Promise<void> {
    this.#records.clear();
  }
}

export const scanAdapter = defineAdapter({
  name: "scan",
  options: z.object({}).strict(),
  create: () => new ScanAdapter(),
});
