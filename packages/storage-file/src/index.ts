import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  type AdapterDefinition,
  compareRecords,
  cursorOf,
  defineAdapter,
  type IndexedRecord,
  matchesQuery,
  type NormalizedExportOptions,
  type NormalizedSearchQuery,
  type PreparedVcon,
  type SearchPage,
  type StorageAdapter,
  UnavailableError,
  ValidationError,
  type VconDocument,
} from "@vcon/storage-core";
import { z } from "zod";

export const fileOptions = z
  .object({
    /** Folder holding the shards; created when missing. */
    directory: z.string().min(1),
    /** Levels of two-hex-character sub-folders (1 to 3). */
    shardDepth: z.number().int().min(1).max(3).default(1),
    /** fsync files and folders so a save survives power loss. */
    fsync: z.boolean().default(true),
  })
  .strict();
export type FileOptions = z.input<typeof fileOptions>;

/**
 * A file holds one header line (the IndexedRecord: created_at kept when a document has none) and then
 * the vCon's exact JSON text, so signed documents keep their bytes.
 */
interface StoredFile {
  record: IndexedRecord;
  json: string;
}

const FILE_PATTERN = /^[0-9a-f-]{36}\.json$/;

/** One JSON file per vCon in sharded folders; atomic writes via temp file + fsync + rename. */
export class FileAdapter implements StorageAdapter {
  readonly name = "file";
  readonly capabilities = { delete: true, exists: true, saveMany: true, search: true, export: true };
  readonly maxBatchSize = 1000;
  readonly directory: string;
  readonly shardDepth: number;
  readonly fsync: boolean;
  #ready: Promise<void> | null = null;

  constructor(options: FileOptions) {
    const parsed = fileOptions.parse(options);
    this.directory = parsed.directory;
    this.shardDepth = parsed.shardDepth;
    this.fsync = parsed.fsync;
  }

  /** Where a uuid's file lives. */
  pathOf(uuid: string): string {
    return join(this.#folderOf(uuid), `${uuid}.json`);
  }

  async save(vcon: PreparedVcon): Promise<void> {
    await this.#ensureRoot();
    const temp = await this.#writeTemp(vcon);
    await this.#commit(temp, vcon.uuid);
  }

  async saveMany(chunk: readonly PreparedVcon[]): Promise<void> {
    await this.#ensureRoot();
    const temps: string[] = [];
    try {
      for (const vcon of chunk) temps.push(await this.#writeTemp(vcon));
    } catch (error) {
      await Promise.all(temps.map((t) => rm(t, { force: true })));
      throw error;
    }
    // Every file is complete on disk before the first rename; a crash here can leave part of a chunk.
    for (let i = 0; i < chunk.length; i++) await this.#commit(temps[i]!, chunk[i]!.uuid);
  }

  async get(uuid: string): Promise<VconDocument | null> {
    const stored = await this.#read(this.pathOf(uuid));
    return stored ? (JSON.parse(stored.json) as VconDocument) : null;
  }

  async exists(uuid: string): Promise<boolean> {
    try {
      await stat(this.pathOf(uuid));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async delete(uuid: string): Promise<boolean> {
    const existed = await this.exists(uuid);
    if (!existed) return false;
    await rm(this.pathOf(uuid), { force: true });
    return true;
  }

  /** Scans every file: O(n) reads per search. */
  async search(query: NormalizedSearchQuery): Promise<SearchPage> {
    const matches = (await this.#scan()).filter((s) => matchesQuery(s.record, query));
    matches.sort((a, b) => compareRecords(a.record, b.record));
    const page = matches.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map((s) => JSON.parse(s.json) as VconDocument),
      nextCursor: matches.length > query.limit && last ? cursorOf(last.record) : null,
    };
  }

  /** Scans every file's header, then reads matches in order. */
  async *export(options: NormalizedExportOptions): AsyncIterable<VconDocument> {
    const order = (await this.#scan()).filter((s) => matchesQuery(s.record, options)).map((s) => s.record);
    order.sort(compareRecords);
    for (const { uuid } of order) {
      if (options.signal.aborted) return;
      const current = await this.#read(this.pathOf(uuid));
      if (current) yield JSON.parse(current.json) as VconDocument;
    }
  }

  async close(): Promise<void> {}

  #folderOf(uuid: string): string {
    const hex = uuid.replaceAll("-", "");
    const parts: string[] = [];
    for (let level = 0; level < this.shardDepth; level++) parts.push(hex.slice(level * 2, level * 2 + 2));
    return join(this.directory, ...parts);
  }

  #ensureRoot(): Promise<void> {
    this.#ready ??= (async () => {
      try {
        await mkdir(this.directory, { recursive: true });
        const info = await stat(this.directory);
        if (!info.isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
      } catch (error) {
        this.#ready = null;
        const code = (error as { code?: string }).code;
        if (code === "ENOTDIR" || code === "EEXIST") {
          throw new ValidationError("file storage directory is not a directory", [
            { path: "directory", message: `${this.directory} is a file` },
          ]);
        }
        throw new UnavailableError(`file storage directory ${this.directory} is not usable (${code})`, {
          cause: error,
        });
      }
    })();
    return this.#ready;
  }

  async #writeTemp(vcon: PreparedVcon): Promise<string> {
    const existing = vcon.createdAtMs === null ? await this.#read(this.pathOf(vcon.uuid)) : null;
    const record: IndexedRecord = {
      uuid: vcon.uuid,
      createdAtMs: vcon.createdAtMs ?? existing?.record.createdAtMs ?? Date.now(),
      subject: vcon.subject,
      parties: vcon.parties,
    };
    const folder = this.#folderOf(vcon.uuid);
    await mkdir(folder, { recursive: true });
    const temp = join(folder, `.${vcon.uuid}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
    const handle = await open(temp, "wx");
    try {
      await handle.writeFile(`${JSON.stringify(record)}\n${vcon.json}`, "utf8");
      if (this.fsync) await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(temp, { force: true });
      throw error;
    }
    await handle.close();
    return temp;
  }

  async #commit(temp: string, uuid: string): Promise<void> {
    await rename(temp, this.pathOf(uuid));
    if (this.fsync) {
      const folder = await open(this.#folderOf(uuid), "r");
      try {
        await folder.sync();
      } finally {
        await folder.close();
      }
    }
  }

  async #read(path: string): Promise<StoredFile | null> {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    const newline = text.indexOf("\n");
    return { record: JSON.parse(text.slice(0, newline)) as IndexedRecord, json: text.slice(newline + 1) };
  }

  async #scan(): Promise<StoredFile[]> {
    const found: StoredFile[] = [];
    const walk = async (folder: string, depth: number): Promise<void> => {
      let entries: string[];
      try {
        entries = await readdir(folder);
      } catch (error) {
        if (isMissing(error)) return;
        throw error;
      }
      for (const entry of entries) {
        if (depth < this.shardDepth) {
          if (/^[0-9a-f]{2}$/.test(entry)) await walk(join(folder, entry), depth + 1);
        } else if (FILE_PATTERN.test(entry)) {
          const stored = await this.#read(join(folder, entry));
          if (stored) found.push(stored);
        }
      }
    };
    await walk(this.directory, 0);
    return found;
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/** Registered as `file`: `createStorage({ adapter: "file", options: { directory } })`. */
export const adapter: AdapterDefinition<z.output<typeof fileOptions>> = defineAdapter({
  name: "file",
  description: "One JSON file per vCon in sharded folders; search and export scan the directory.",
  options: fileOptions,
  create: (options) => new FileAdapter(options),
});

export default adapter;
