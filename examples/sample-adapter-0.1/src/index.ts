// src/index.ts
import { appendFile, readFile } from "node:fs/promises";
import {
  compareRecords,
  cursorOf,
  defineAdapter,
  type IndexedRecord,
  matchesQuery,
  type NormalizedSearchQuery,
  type PreparedVcon,
  type SearchPage,
  type StorageAdapter,
  UnavailableError,
  type VconDocument,
} from "@vcon/storage-core";
import { z } from "zod";

/** One line of the file: a saved vCon, or a tombstone for a deleted one. */
type Line = { op: "save"; record: StoredRecord } | { op: "delete"; uuid: string };

interface StoredRecord extends IndexedRecord {
  json: string;
}

/**
 * Appends every change to a JSON-lines file and keeps an index in memory.
 * Reopening the file replays it, so the last line for a uuid wins.
 */
export class JsonLinesAdapter implements StorageAdapter {
  readonly name = "jsonl";
  // saveMany and export are left out: the suite then checks they reject with NOT_SUPPORTED.
  readonly capabilities = { delete: true, exists: true, search: true };
  #records = new Map<string, StoredRecord>();
  #writes: Promise<void> = Promise.resolve();

  private constructor(readonly path: string) {}

  static async open(path: string): Promise<JsonLinesAdapter> {
    const adapter = new JsonLinesAdapter(path);
    let text = "";
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        throw new UnavailableError(`Cannot read ${path}`, { cause: error });
      }
    }
    for (const line of text.split("\n")) {
      if (line) adapter.#apply(JSON.parse(line) as Line);
    }
    return adapter;
  }

  async save(vcon: PreparedVcon): Promise<void> {
    // Without a created_at of its own, an update keeps the stored one (the contract's rule).
    const createdAtMs = vcon.createdAtMs ?? this.#records.get(vcon.uuid)?.createdAtMs ?? Date.now();
    const record = {
      uuid: vcon.uuid,
      json: vcon.json,
      createdAtMs,
      subject: vcon.subject,
      parties: vcon.parties,
    };
    await this.#append({ op: "save", record });
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
    await this.#append({ op: "delete", uuid });
    return true;
  }

  async search(query: NormalizedSearchQuery): Promise<SearchPage> {
    const matches = [...this.#records.values()].filter((r) => matchesQuery(r, query)).sort(compareRecords);
    const page = matches.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => JSON.parse(r.json) as VconDocument),
      nextCursor: matches.length > query.limit && last ? cursorOf(last) : null,
    };
  }

  async close(): Promise<void> {
    await this.#writes;
    this.#records.clear();
  }

  /** Writes go one after another: concurrent appends of large lines could interleave. */
  #append(line: Line): Promise<void> {
    const write = this.#writes.then(async () => {
      await appendFile(this.path, `${JSON.stringify(line)}\n`, "utf8");
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
  create: (options) => JsonLinesAdapter.open(options.path),
});
