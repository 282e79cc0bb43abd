import { stat, unlink } from "node:fs/promises";
import {
  ClosedError,
  createdAtMsFor,
  isStorageError,
  type NormalizedExportOptions,
  type NormalizedSearchQuery,
  type PreparedVcon,
  type SearchPage,
  type StorageAdapter,
  type VconDocument,
  vconUuidOf,
} from "@vcon/storage-core/adapter";
import pMap from "p-map";
import { corrupt, fsError, isMissing } from "./errors.js";
import { exportFiles } from "./export/ordered-export.js";
import { removeTemp, renameOnto, syncFolders, writeTempFile } from "./fs/atomic-write.js";
import { commitChunk } from "./fs/commit-chunk.js";
import { checkDirectory } from "./fs/directory.js";
import { StoreLayout } from "./fs/layout.js";
import { indexStoredFile, readDocument, readText } from "./fs/read.js";
import type { ScanOptions } from "./fs/scan.js";
import { removeIfStale } from "./fs/stale-temp.js";
import { walkStore } from "./fs/walk.js";
import { type FileOptions, fileOptionsParser, NAME } from "./options.js";
import { searchFiles } from "./search/search.js";

/**
 * One JSON file per vCon in sharded folders: `<directory>/<2 hex>/<uuid>.json` holds exactly the JSON text
 * that was saved. created_at comes from the document; a document without one gets the file's
 * modification time, set to the first save's time and carried over by re-saves.
 * Writes are atomic: temp file, fsync, rename, fsync folder.
 */
export class FileAdapter implements StorageAdapter {
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
  readonly maxBatchSize = 1000;
  readonly directory: string;
  readonly shardDepth: number;
  readonly fsync: boolean;
  readonly #layout: StoreLayout;
  readonly #createDirectory: boolean;
  readonly #concurrency: number;
  readonly #staleTempMs: number;
  #ready: Promise<void> | null = null;
  #closed = false;

  constructor(options: FileOptions) {
    const parsed = fileOptionsParser.parse(options);
    this.directory = parsed.directory;
    this.shardDepth = parsed.shardDepth;
    this.fsync = parsed.fsync;
    this.#layout = new StoreLayout(parsed.directory, parsed.shardDepth);
    this.#createDirectory = parsed.createDirectory;
    this.#concurrency = parsed.concurrency;
    this.#staleTempMs = parsed.staleTempMs;
  }

  /**
   * A checked adapter, for code that uses it directly: constructed, then opened (the directory exists or
   * was created, is a directory, and is readable and writable).
   */
  static async open(options: FileOptions): Promise<FileAdapter> {
    const adapter = new FileAdapter(options);
    await adapter.open();
    return adapter;
  }

  /**
   * Core's open hook: checks the directory (creating it when allowed) before the first operation. The
   * check runs once; a failed one is tried again by the next call. Operations also wait for it, so an
   * adapter used without core's facade checks the directory too.
   */
  open(): Promise<void> {
    return this.ready();
  }

  /** @deprecated since 0.2: use `open()`, which core calls before the first operation. */
  ready(): Promise<void> {
    // Every operation passes here: after close() none touches the disk again.
    if (this.#closed) return Promise.reject(new ClosedError());
    this.#ready ??= checkDirectory(this.directory, this.#createDirectory).catch((error: unknown) => {
      this.#ready = null;
      throw error;
    });
    return this.#ready;
  }

  /** Where a uuid's file lives. */
  pathOf(uuid: string): string {
    return this.#layout.pathOf(uuid);
  }

  async save(vcon: PreparedVcon): Promise<void> {
    await this.ready();
    const temp = await this.#writeTemp(vcon);
    await renameOnto(temp, this.pathOf(vcon.uuid));
    await this.#syncFolders([vcon]);
  }

  /**
   * Writes (and fsyncs) every file of the chunk to a temp file first, then renames them into place,
   * undoing the earlier renames when one fails (fs/commit-chunk.ts): a chunk lands whole or not at all,
   * except across a crash during the renames, which can leave part of it, each file whole.
   */
  async saveMany(chunk: readonly PreparedVcon[]): Promise<void> {
    await this.ready();
    const temps = await this.#writeTemps(chunk);
    await commitChunk(
      chunk.map((vcon, i) => ({
        temp: temps[i]!,
        target: this.pathOf(vcon.uuid),
        backup: this.#layout.tempPathOf(vcon.uuid),
      })),
    );
    await this.#syncFolders(chunk);
  }

  async get(uuid: string): Promise<VconDocument | null> {
    await this.ready();
    const path = this.pathOf(uuid);
    const document = await readDocument(path);
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
    await this.#syncFolders([{ uuid }]);
    return true;
  }

  /** A scan of every file; see search/search.ts. */
  async search(query: NormalizedSearchQuery): Promise<SearchPage> {
    await this.ready();
    return searchFiles(this.#layout, query, this.#scanOptions);
  }

  /** A scan of every file, then the matches read in order; see export/ordered-export.ts. */
  async *export(options: NormalizedExportOptions): AsyncIterable<VconDocument> {
    await this.ready();
    yield* exportFiles(this.#layout, options, this.#scanOptions);
  }

  /** Deletes temp files older than `staleTempMs` (left by writers that crashed); returns how many. */
  async removeStaleTempFiles(): Promise<number> {
    await this.ready();
    let removed = 0;
    for await (const entry of walkStore(this.#layout)) {
      if (entry.kind === "temp" && (await removeIfStale(entry.path, this.#staleTempMs))) removed++;
    }
    return removed;
  }

  /** Nothing stays open between calls; afterwards every call rejects with CLOSED. */
  async close(): Promise<void> {
    this.#closed = true;
  }

  get #scanOptions(): ScanOptions {
    return { concurrency: this.#concurrency, staleTempMs: this.#staleTempMs };
  }

  /**
   * Writes a temp file for every vCon of a chunk, `concurrency` at a time. On a failure no new write
   * starts, the ones under way finish, and every temp file written is removed before the error is thrown.
   */
  async #writeTemps(chunk: readonly PreparedVcon[]): Promise<string[]> {
    const temps: string[] = [];
    const failures: unknown[] = [];
    await pMap(
      chunk,
      async (vcon, index) => {
        if (failures.length > 0) return;
        try {
          temps[index] = await this.#writeTemp(vcon);
        } catch (error) {
          failures.push(error);
        }
      },
      { concurrency: this.#concurrency },
    );
    if (failures.length > 0) {
      await Promise.all(temps.filter(Boolean).map(removeTemp));
      throw failures[0];
    }
    return temps;
  }

  async #writeTemp(vcon: PreparedVcon): Promise<string> {
    // A document without created_at keeps the stored one: carried in the file's modification time.
    const mtimeMs =
      vcon.createdAtMs === null ? createdAtMsFor(vcon, await this.#storedCreatedAt(vcon.uuid)) : null;
    const temp = this.#layout.tempPathOf(vcon.uuid);
    await writeTempFile(temp, this.#layout.folderOf(vcon.uuid), vcon.json, { fsync: this.fsync, mtimeMs });
    return temp;
  }

  /** created_at of the stored file for `uuid` (from its document, else its mtime), or null. */
  async #storedCreatedAt(uuid: string): Promise<number | null> {
    const path = this.pathOf(uuid);
    const text = await readText(path);
    if (text === null) return null;
    try {
      return (await indexStoredFile(path, text))?.createdAtMs ?? null;
    } catch (error) {
      // A damaged file has no created_at to keep; saving over it is how it gets repaired.
      if (isStorageError(error, "INTERNAL")) return null;
      throw error;
    }
  }

  async #syncFolders(vcons: ReadonlyArray<{ uuid: string }>): Promise<void> {
    if (!this.fsync) return;
    await syncFolders(new Set(vcons.map((vcon) => this.#layout.folderOf(vcon.uuid))), this.#concurrency);
  }
}
