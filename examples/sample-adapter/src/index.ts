// src/index.ts
import { appendFile, readFile } from "node:fs/promises";
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
import { fileError } from "./errors.js";

/** One line of the file: a saved vCon, or a tombstone for a deleted one. */
type Line = { op: "save"; record: ScanRecord } | { op: "delete"; uuid: string };

/**
 * Appends every change to a JSON-lines file and keeps an index in memory.
 * Opening replays the file, so the last line for a uuid wins.
 */
export class JsonLinesAdapter implements StorageAdapter {
  readonly name = "jsonl";
  // saveMany and export are left out: the suite then checks they reject with NOT_SUPPORTED.
  readonly capabilities = { delete: true, exists: true, search: true };
  #records = new Map<string, ScanRecord>();
  #writes: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  /** Core calls this once, before the first operation; calls made meanwhile wait for it. */
  async open(): Promise<void> {
    let text = "";
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw fileError(error, this.path);
    }
    // A failed open is retried by the next call: start from an empty index each time.
    this.#records.clear();
    for (const line of text.split("\n")) {
      if (line) this.#apply(JSON.parse(line) as Line);
    }
  }

  async save(vcon: PreparedVcon): Promise<void> {
    // toScanRecord applies the contract's rule: an update without created_at keeps the stored one.
    await this.#append(() => ({ op: "save", record: toScanRecord(vcon, this.#records.get(vcon.uuid)) }));
  }

  async get(uuid: string): Promise<VconDocument | null> {
    const record = this.#records.get(uuid);
    // Parsed on every read, so callers get a copy they may change freely.
    return record ? (JSON.parse(record.json) as VconDocument) : null;
  }

  async exists(uuid: string): Promise<boolean> {
    return this.#records.has(uuid);
  }

  async delete(uuid: string): Promise<boolean> {
    if (!this.#records.has(uuid)) return false;
    await this.#append(() => ({ op: "delete", uuid }));
    return true;
  }

  async search(query: NormalizedSearchQuery): Promise<SearchPage> {
    // Core's reference semantics: filters, (created_at, uuid) order, opaque cursors, fresh copies.
    return scanSearch(this.#records.values(), query);
  }

  async close(): Promise<void> {
    await this.#writes;
    this.#records.clear();
  }

  /**
   * Writes go one after another: concurrent appends of large lines could interleave. The line is made
   * when its turn comes, so it sees every write queued before it.
   */
  #append(makeLine: () => Line): Promise<void> {
    const write = this.#writes.then(async () => {
      const line = makeLine();
      try {
        await appendFile(this.path, `${JSON.stringify(line)}\n`, "utf8");
      } catch (error) {
        throw fileError(error, this.path);
      }
      this.#apply(line);
    });
    // A failed write must not block the ones queued after it.
    this.#writes = write.catch(() => {});
    return write;
  }

  #apply(line: Line): void {
    if (line.op === "save") this.#records.set(line.record.uuid, line.record);
    else this.#records.delete(line.uuid);
  }
}

/** What `createStorage({ adapter: "vcon-storage-jsonl", options: { path } })` finds. */
export const adapter = defineAdapter({
  name: "jsonl",
  description: "One JSON-lines file, indexed in memory.",
  options: z.object({ path: z.string().min(1) }).strict(),
  create: (options) => new JsonLinesAdapter(options.path),
});
