import { randomBytes } from "node:crypto";
import { constants, type Dir, type Stats } from "node:fs";
import { access, mkdir, open, opendir, readFile, rename, rm, stat, unlink } from "node:fs/promises";
import { basename, join } from "node:path";
import {
  type AdapterDefinition,
  compareRecords,
  cursorOf,
  defineAdapter,
  type IndexedRecord,
  InternalError,
  isStorageError,
  matchesQuery,
  type NormalizedExportOptions,
  type NormalizedSearchQuery,
  type PreparedVcon,
  parseOptionsSync,
  prepareVcon,
  type SearchPage,
  type StorageAdapter,
  type StorageError,
  UnavailableError,
  ValidationError,
  type VconDocument,
  vconUuidOf,
} from "@vcon/storage-core";
import { z } from "zod";

export const fileOptions = z
  .object({
    /** Folder holding the shards. */
    directory: z.string().min(1),
    /** Create `directory` (and its parents) when it is missing; when false, a missing one is UNAVAILABLE. */
    createDirectory: z.boolean().default(true),
    /** Levels of two-hex-character sub-folders (1 to 3). */
    shardDepth: z.number().int().min(1).max(3).default(1),
    /** fsync each file before its rename and its folder after, so a save survives power loss. */
    fsync: z.boolean().default(true),
    /** Files read at once while scanning (search, export) and written at once by saveMany. */
    concurrency: z.number().int().min(1).max(256).default(16),
    /** A temp file left by a crashed writer is deleted by a scan once it is this old (ms). */
    staleTempMs: z
      .number()
      .int()
      .min(0)
      .default(10 * 60 * 1000),
  })
  .strict();
export type FileOptions = z.input<typeof fileOptions>;

/** `<uuid>.json`: a stored vCon. Anything else in the folders is ignored. */
const FILE_PATTERN = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.json$/;
/** `.<uuid>.<pid>.<random>.tmp`: a file being written; invisible to get and scans. */
const TEMP_PATTERN = /^\.[0-9a-f-]{36}\.\d+\.[0-9a-f]+\.tmp$/;
const SHARD_PATTERN = /^[0-9a-f]{2}$/;
/** Stored files are read back without the size limit a save applies: they were accepted once. */
const READ_LIMITS = { maxDocumentBytes: Number.MAX_SAFE_INTEGER, maxDepth: 100_000 };

/** A stored file, read and indexed. */
interface ScannedFile {
  record: IndexedRecord;
  path: string;
}

/**
 * One JSON file per vCon in sharded folders: `<directory>/<2 hex>/<uuid>.json` holds exactly the JSON text
 * that was saved. created_at comes from the document; a document without one gets the file's
 * modification time, set to the first save's time and carried over by re-saves.
 * Writes are atomic: temp file, fsync, rename, fsync folder.
 */
export class FileAdapter implements StorageAdapter {
  readonly name = "file";
  readonly capabilities = { delete: true, exists: true, saveMany: true, search: true, export: true };
  readonly maxBatchSize = 1000;
  readonly directory: string;
  readonly shardDepth: number;
  readonly fsync: boolean;
  readonly #createDirectory: boolean;
  readonly #concurrency: number;
  readonly #staleTempMs: number;
  #ready: Promise<void> | null = null;

  constructor(options: FileOptions) {
    const parsed = parseOptionsSync({ name: "file", options: fileOptions }, options);
    this.directory = parsed.directory;
    this.shardDepth = parsed.shardDepth;
    this.fsync = parsed.fsync;
    this.#createDirectory = parsed.createDirectory;
    this.#concurrency = parsed.concurrency;
    this.#staleTempMs = parsed.staleTempMs;
  }

  /** A checked adapter: the directory exists (or was created), is a directory, and is readable and writable. */
  static async open(options: FileOptions): Promise<FileAdapter> {
    const adapter = new FileAdapter(options);
    await adapter.ready();
    return adapter;
  }

  /** Checks the directory once (creating it when allowed). Every operation calls it first. */
  ready(): Promise<void> {
    this.#ready ??= this.#checkDirectory().catch((error: unknown) => {
      this.#ready = null;
      throw error;
    });
    return this.#ready;
  }

  /** Where a uuid's file lives. */
  pathOf(uuid: string): string {
    return join(this.#folderOf(uuid), `${uuid}.json`);
  }

  async save(vcon: PreparedVcon): Promise<void> {
    await this.ready();
    const temp = await this.#writeTemp(vcon);
    await this.#rename(temp, vcon.uuid);
    await this.#syncFolders([this.#folderOf(vcon.uuid)]);
  }

  async saveMany(chunk: readonly PreparedVcon[]): Promise<void> {
    await this.ready();
    const temps: Array<string | undefined> = new Array(chunk.length);
    try {
      await forEachLimited(chunk, this.#concurrency, async (vcon, index) => {
        temps[index] = await this.#writeTemp(vcon);
      });
    } catch (error) {
      await Promise.all(temps.map((t) => (t ? rm(t, { force: true }) : undefined)));
      throw error;
    }
    // Every file is complete (and fsynced) before the first rename; a crash during the renames can
    // leave part of a chunk, each file whole.
    for (let i = 0; i < chunk.length; i++) {
      try {
        await this.#rename(temps[i]!, chunk[i]!.uuid);
      } catch (error) {
        await Promise.all(temps.slice(i + 1).map((t) => (t ? rm(t, { force: true }) : undefined)));
        throw error;
      }
    }
    await this.#syncFolders([...new Set(chunk.map((vcon) => this.#folderOf(vcon.uuid)))]);
  }

  async get(uuid: string): Promise<VconDocument | null> {
    await this.ready();
    const path = this.pathOf(uuid);
    const document = await this.#readDocument(path);
    if (document === null) return null;
    const stored = vconUuidOf(document);
    if (stored !== uuid) {
      throw corrupt(path, stored ? `it holds the vCon ${stored}` : "it holds no vCon uuid");
    }
    return document;
  }

  async exists(uuid: string): Promise<boolean> {
    await this.ready();
    const path = this.pathOf(uuid);
    try {
      return (await stat(path)).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw fsError(error, "stat", path);
    }
  }

  async delete(uuid: string): Promise<boolean> {
    await this.ready();
    const path = this.pathOf(uuid);
    try {
      await unlink(path);
    } catch (error) {
      if (isMissing(error)) return false;
      throw fsError(error, "delete", path);
    }
    await this.#syncFolders([this.#folderOf(uuid)]);
    return true;
  }

  /**
   * A scan: reads and indexes every file (O(n) reads per call), keeping only the best `limit + 1`
   * records, then reads the page's documents again.
   */
  async search(query: NormalizedSearchQuery): Promise<SearchPage> {
    await this.ready();
    const keep = query.limit + 1;
    const best: ScannedFile[] = [];
    await this.#scan((file) => {
      if (!matchesQuery(file.record, query)) return;
      if (best.length === keep && compareRecords(file.record, best[keep - 1]!.record) >= 0) return;
      best.splice(insertionPoint(best, file), 0, file);
      if (best.length > keep) best.pop();
    });
    const page = best.slice(0, query.limit);
    const items: VconDocument[] = [];
    for (const document of await mapLimited(page, this.#concurrency, (file) => this.#readDocument(file.path)))
      if (document) items.push(document);
    const last = page.at(-1);
    return { items, nextCursor: best.length > query.limit && last ? cursorOf(last.record) : null };
  }

  /**
   * A scan: indexes every file (keeping only each match's created_at and uuid), sorts, then reads the
   * matching files in order, `concurrency` at a time.
   */
  async *export(options: NormalizedExportOptions): AsyncIterable<VconDocument> {
    await this.ready();
    const order: IndexedRecord[] = [];
    await this.#scan((file) => {
      if (matchesQuery(file.record, options))
        order.push({
          uuid: file.record.uuid,
          createdAtMs: file.record.createdAtMs,
          subject: null,
          parties: [],
        });
    }, options.signal);
    if (options.signal.aborted) return;
    order.sort(compareRecords);
    const window = this.#concurrency;
    const pending: Array<Promise<VconDocument | null>> = [];
    let next = 0;
    const fill = () => {
      while (pending.length < window && next < order.length) {
        const read = this.#readDocument(this.pathOf(order[next++]!.uuid));
        read.catch(() => {}); // awaited in order below; this only stops an unhandled rejection meanwhile
        pending.push(read);
      }
    };
    fill();
    while (pending.length > 0) {
      if (options.signal.aborted) return;
      const document = await pending.shift()!;
      fill();
      // A file deleted since the scan is left out.
      if (document) yield document;
    }
  }

  /** Deletes temp files older than `staleTempMs` (left by writers that crashed); returns how many. */
  async removeStaleTempFiles(): Promise<number> {
    await this.ready();
    let removed = 0;
    for await (const entry of this.#walk(this.directory, 0)) {
      if (entry.kind === "temp" && (await this.#removeIfStale(entry.path))) removed++;
    }
    return removed;
  }

  async close(): Promise<void> {}

  #folderOf(uuid: string): string {
    const hex = uuid.replaceAll("-", "");
    const parts: string[] = [];
    for (let level = 0; level < this.shardDepth; level++) parts.push(hex.slice(level * 2, level * 2 + 2));
    return join(this.directory, ...parts);
  }

  async #checkDirectory(): Promise<void> {
    const directory = this.directory;
    let info: Stats;
    try {
      info = await stat(directory);
    } catch (error) {
      const code = codeOf(error);
      if (code === "ENOTDIR") throw notADirectory(directory, "a part of its path is a file");
      if (code !== "ENOENT") throw fsError(error, "open the storage directory", directory);
      if (!this.#createDirectory) {
        throw new UnavailableError(
          `File storage directory ${directory} does not exist: create it, or set createDirectory: true`,
          { retryable: false },
        );
      }
      try {
        await mkdir(directory, { recursive: true });
        info = await stat(directory);
      } catch (inner) {
        if (codeOf(inner) === "ENOTDIR" || codeOf(inner) === "EEXIST") {
          throw notADirectory(directory, "a part of its path is a file");
        }
        throw fsError(inner, "create the storage directory", directory);
      }
    }
    if (!info.isDirectory()) throw notADirectory(directory, "it is a file");
    try {
      await access(directory, constants.R_OK | constants.W_OK | constants.X_OK);
    } catch (error) {
      throw new UnavailableError(
        `File storage directory ${directory} is not readable and writable by this process (${codeOf(error)}): ` +
          "fix its owner or mode",
        { cause: error, retryable: false },
      );
    }
  }

  async #writeTemp(vcon: PreparedVcon): Promise<string> {
    // A document without created_at keeps the stored one: carried in the file's modification time.
    const createdAtMs =
      vcon.createdAtMs === null ? ((await this.#storedCreatedAt(vcon.uuid)) ?? Date.now()) : null;
    const folder = this.#folderOf(vcon.uuid);
    try {
      await mkdir(folder, { recursive: true });
    } catch (error) {
      throw fsError(error, "create the folder", folder);
    }
    const temp = join(folder, `.${vcon.uuid}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(temp, "wx");
    } catch (error) {
      throw fsError(error, "create", temp);
    }
    try {
      await handle.writeFile(vcon.json, "utf8");
      if (createdAtMs !== null) await handle.utimes(new Date(), new Date(createdAtMs));
      if (this.fsync) await handle.sync();
      await handle.close();
    } catch (error) {
      await handle.close().catch(() => {});
      await rm(temp, { force: true });
      throw fsError(error, "write", temp);
    }
    return temp;
  }

  /** created_at of the stored file for `uuid` (from its document, else its mtime), or null. */
  async #storedCreatedAt(uuid: string): Promise<number | null> {
    const path = this.pathOf(uuid);
    const text = await this.#readText(path);
    if (text === null) return null;
    try {
      return (await this.#index(path, text))?.createdAtMs ?? null;
    } catch (error) {
      // A damaged file has no created_at to keep; saving over it is how it gets repaired.
      if (isStorageError(error, "INTERNAL")) return null;
      throw error;
    }
  }

  async #rename(temp: string, uuid: string): Promise<void> {
    const target = this.pathOf(uuid);
    try {
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw fsError(error, "rename a temp file onto", target);
    }
  }

  async #syncFolders(folders: readonly string[]): Promise<void> {
    if (!this.fsync) return;
    await forEachLimited(folders, this.#concurrency, async (folder) => {
      try {
        const handle = await open(folder, "r");
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
      } catch (error) {
        throw fsError(error, "fsync the folder", folder);
      }
    });
  }

  async #readText(path: string): Promise<string | null> {
    try {
      return await readFile(path, "utf8");
    } catch (error) {
      if (isMissing(error)) return null;
      throw fsError(error, "read", path);
    }
  }

  async #readDocument(path: string): Promise<VconDocument | null> {
    const text = await this.#readText(path);
    if (text === null) return null;
    try {
      return JSON.parse(text) as VconDocument;
    } catch (error) {
      throw corrupt(path, (error as Error).message);
    }
  }

  /** The search fields of a stored file, or null when it vanished meanwhile. Corrupt: INTERNAL naming it. */
  async #index(path: string, text: string): Promise<IndexedRecord | null> {
    let prepared: PreparedVcon;
    try {
      prepared = prepareVcon(text, READ_LIMITS);
    } catch (error) {
      throw corrupt(path, (error as Error).message);
    }
    const named = FILE_PATTERN.exec(basename(path))?.[1];
    if (named !== undefined && named !== prepared.uuid) {
      throw corrupt(path, `it holds the vCon ${prepared.uuid}, so it should be named ${prepared.uuid}.json`);
    }
    let createdAtMs = prepared.createdAtMs;
    if (createdAtMs === null) {
      try {
        createdAtMs = Math.round((await stat(path)).mtimeMs);
      } catch (error) {
        if (isMissing(error)) return null;
        throw fsError(error, "stat", path);
      }
    }
    return { uuid: prepared.uuid, createdAtMs, subject: prepared.subject, parties: prepared.parties };
  }

  /**
   * Visits every stored file: folders are iterated (never listed whole), files read and indexed
   * `concurrency` at a time, so memory holds at most that many documents. Stale temp files met on the way
   * are deleted; other entries are ignored.
   */
  async #scan(visit: (file: ScannedFile) => void, signal?: AbortSignal): Promise<void> {
    const entries = this.#walk(this.directory, 0);
    let stop = false;
    try {
      await runWorkers(this.#concurrency, async () => {
        while (!stop && !signal?.aborted) {
          const next = await entries.next();
          if (next.done) return;
          const entry = next.value;
          try {
            if (entry.kind === "temp") {
              await this.#removeIfStale(entry.path);
              continue;
            }
            const text = await this.#readText(entry.path);
            if (text === null) continue;
            const record = await this.#index(entry.path, text);
            if (record) visit({ record, path: entry.path });
          } catch (error) {
            stop = true;
            throw error;
          }
        }
      });
    } finally {
      await entries.return(undefined);
    }
  }

  async *#walk(folder: string, depth: number): AsyncGenerator<{ kind: "file" | "temp"; path: string }> {
    let dir: Dir;
    try {
      dir = await opendir(folder, { bufferSize: 64 });
    } catch (error) {
      if (isMissing(error)) return;
      throw fsError(error, "list", folder);
    }
    try {
      for await (const entry of dir) {
        const path = join(folder, entry.name);
        if (depth < this.shardDepth) {
          if (SHARD_PATTERN.test(entry.name) && entry.isDirectory()) yield* this.#walk(path, depth + 1);
        } else if (FILE_PATTERN.test(entry.name)) {
          yield { kind: "file", path };
        } else if (TEMP_PATTERN.test(entry.name)) {
          yield { kind: "temp", path };
        }
      }
    } catch (error) {
      throw isStorageError(error) ? error : fsError(error, "list", folder);
    } finally {
      // A `for await` over a Dir closes it when the loop ends early; this covers errors thrown before.
      await dir.close().catch(() => {});
    }
  }

  async #removeIfStale(path: string): Promise<boolean> {
    try {
      if (Date.now() - (await stat(path)).mtimeMs < this.#staleTempMs) return false;
      await unlink(path);
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw fsError(error, "delete the stale temp file", path);
    }
  }
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

function isMissing(error: unknown): boolean {
  const code = codeOf(error);
  return code === "ENOENT" || code === "ENOTDIR";
}

function notADirectory(directory: string, why: string): ValidationError {
  return new ValidationError("File storage directory is not a directory", [
    { path: "directory", message: `${directory}: ${why}` },
  ]);
}

function corrupt(path: string, detail: string): InternalError {
  return new InternalError(
    `File storage: ${path} is not a stored vCon (${detail}); repair or remove the file`,
  );
}

/** A filesystem failure as a StorageError naming the path. */
function fsError(error: unknown, action: string, path: string): StorageError {
  if (isStorageError(error)) return error;
  const code = codeOf(error) ?? "unknown";
  const message = `File storage could not ${action} ${path} (${code}: ${(error as Error)?.message ?? error})`;
  switch (code) {
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return new UnavailableError(`${message}: check the directory's owner, mode and mount`, {
        cause: error,
        retryable: false,
      });
    case "ENOSPC":
    case "EDQUOT":
    case "EMFILE":
    case "ENFILE":
    case "EIO":
    case "EBUSY":
    case "EAGAIN":
    case "ESTALE":
      return new UnavailableError(message, { cause: error });
    default:
      return new InternalError(message, { cause: error });
  }
}

/** Where `file` goes in `sorted` to keep (created_at, uuid) order. */
function insertionPoint(sorted: readonly ScannedFile[], file: ScannedFile): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareRecords(sorted[mid]!.record, file.record) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Runs `count` workers to the end; rethrows the first failure once all have stopped. */
async function runWorkers(count: number, worker: () => Promise<void>): Promise<void> {
  const outcomes = await Promise.allSettled(Array.from({ length: count }, worker));
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
  if (failure) throw failure.reason;
}

async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  body: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  await runWorkers(Math.min(limit, items.length), async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        await body(items[index]!, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  });
}

async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  body: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  await forEachLimited(items, limit, async (item, index) => {
    results[index] = await body(item);
  });
  return results;
}

/** Registered as `file`: `createStorage({ adapter: "file", options: { directory } })`. */
export const adapter: AdapterDefinition<z.output<typeof fileOptions>> = defineAdapter({
  name: "file",
  description: "One JSON file per vCon in sharded folders; search and export scan the directory.",
  options: fileOptions,
  create: (options) => FileAdapter.open(options),
});

export default adapter;
