import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import {
  ClosedError,
  inspectSafely,
  type NormalizedExportOptions,
  type NormalizedSearchQuery,
  type PreparedVcon,
  type SearchPage,
  type StorageAdapter,
  searchKeysOf,
  searchPageOf,
  UnavailableError,
  type VconDocument,
} from "@vcon/storage-core/adapter";
import Database from "better-sqlite3";
import { type ErrorContext, toStorageError } from "./errors.js";
import { NAME, parseSqliteOptions, type ResolvedOptions, type SqliteOptions } from "./options.js";
import { LATEST_VERSION, MIGRATIONS, type Tables, tablesFor } from "./sql/schema.js";
import { exportPage, type Position, type Query, searchQuery } from "./sql/search.js";

interface DocumentRow {
  uuid: string;
  created_ms: number;
  document: string;
}

/** Most distinct search statement shapes kept prepared (filters combine into at most a few dozen). */
const STATEMENT_CACHE = 128;

/**
 * vCons in SQLite through better-sqlite3: `<table>` holds each document's exact text, `<table>_keys`
 * its search keys, written in one IMMEDIATE transaction. Files run in WAL mode with a busy timeout, so
 * several processes can share one. better-sqlite3 is synchronous: each call runs to completion on the
 * event loop (a write waiting for another process's lock blocks it up to busyTimeoutMs).
 */
export class SqliteAdapter implements StorageAdapter {
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
  readonly tables: Tables;
  readonly path: string;
  #options: ResolvedOptions;
  #errors: ErrorContext;
  #db: Database.Database | null = null;
  #statements: ReturnType<typeof prepareStatements> | null = null;
  #queries = new Map<string, Database.Statement>();
  #exports = new Set<Database.Database>();
  #closed = false;
  #appliedAtOpen: string[] = [];

  constructor(options: SqliteOptions = {}) {
    this.#options = parseSqliteOptions(options);
    this.path = this.#options.path;
    this.tables = tablesFor(this.#options.table);
    this.#errors = { path: this.path, table: this.tables.base };
    inspectSafely(this, "SqliteAdapter", () => ({
      name: this.name,
      path: this.path,
      table: this.tables.base,
    }));
  }

  get inMemory(): boolean {
    return this.path === ":memory:";
  }

  /** Opens the file (creating it and its folders), sets WAL and the busy timeout, migrates. */
  async open(): Promise<void> {
    this.#run(() => this.#database());
  }

  /** Applies pending migrations; returns the names this call (or the open it triggered) applied. */
  async migrate(): Promise<{ applied: string[] }> {
    return this.#run(() => {
      if (this.#db === null) {
        this.#database();
        return { applied: this.#appliedAtOpen };
      }
      return { applied: this.#migrate(this.#db) };
    });
  }

  async save(vcon: PreparedVcon): Promise<void> {
    this.#run(() => this.#write([vcon]));
  }

  async saveMany(chunk: readonly PreparedVcon[]): Promise<void> {
    this.#run(() => this.#write(chunk));
  }

  async get(uuid: string): Promise<VconDocument | null> {
    return this.#run(() => {
      const row = this.#prepared().get.get(uuid) as { document: string } | undefined;
      return row ? (JSON.parse(row.document) as VconDocument) : null;
    });
  }

  async exists(uuid: string): Promise<boolean> {
    return this.#run(() => this.#prepared().exists.get(uuid) !== undefined);
  }

  async delete(uuid: string): Promise<boolean> {
    return this.#run(() => {
      const statements = this.#prepared();
      return this.#database()
        .transaction(() => {
          statements.deleteKeysOf.run(uuid);
          return statements.deleteDocument.run(uuid).changes > 0;
        })
        .immediate();
    });
  }

  async search(query: NormalizedSearchQuery): Promise<SearchPage> {
    return this.#run(() => {
      const rows = this.#query(searchQuery(this.tables, query)).all() as DocumentRow[];
      return searchPageOf(rows, query.limit, {
        document: (row) => JSON.parse(row.document) as VconDocument,
        position: (row) => ({ createdAt: new Date(row.created_ms).toISOString(), uuid: row.uuid }),
      });
    });
  }

  /**
   * Every document in (created_at, uuid) order, in keyset pages. A file is read through a connection
   * of its own inside one read transaction: a consistent snapshot, unaffected by writes meanwhile, and
   * never blocking them (WAL). `:memory:` has one connection only, so it first lists the (created_at,
   * uuid) keys, then reads the documents by page: deleted ones are skipped, updated ones read fresh.
   */
  async *export(options: NormalizedExportOptions): AsyncIterable<VconDocument> {
    this.#run(() => this.#database());
    if (this.inMemory) {
      yield* this.#exportInMemory(options);
      return;
    }
    const reader = this.#run(() => new Database(this.path, { readonly: true, fileMustExist: true }));
    this.#exports.add(reader);
    try {
      reader.pragma(`busy_timeout = ${this.#options.busyTimeoutMs}`);
      reader.prepare("BEGIN").run();
      // The snapshot starts with the first read, here, not at BEGIN.
      reader.prepare(`SELECT 1 FROM ${this.tables.documents} LIMIT 1`).get();
      const statements = new Map<string, Database.Statement>();
      let after: Position | null = null;
      for (;;) {
        if (options.signal.aborted || this.#closed) return;
        const { sql, params } = exportPage(
          this.tables,
          { since: options.since, until: options.until, after },
          options.batchSize,
          true,
        );
        const statement = statements.get(sql) ?? reader.prepare(sql);
        statements.set(sql, statement);
        const rows = this.#run(() => statement.all(...params) as DocumentRow[]);
        for (const row of rows) {
          if (options.signal.aborted || this.#closed) return;
          yield JSON.parse(row.document) as VconDocument;
        }
        if (rows.length < options.batchSize) return;
        const last = rows.at(-1)!;
        after = { ms: last.created_ms, uuid: last.uuid };
      }
    } finally {
      this.#exports.delete(reader);
      if (reader.open) reader.close();
    }
  }

  async *#exportInMemory(options: NormalizedExportOptions): AsyncIterable<VconDocument> {
    const keys: Position[] = [];
    let after: Position | null = null;
    for (;;) {
      const query = exportPage(
        this.tables,
        { since: options.since, until: options.until, after },
        10_000,
        false,
      );
      const rows = this.#run(() => this.#query(query).all() as Array<{ uuid: string; created_ms: number }>);
      for (const row of rows) keys.push({ ms: row.created_ms, uuid: row.uuid });
      if (rows.length < 10_000) break;
      after = keys.at(-1)!;
    }
    for (let at = 0; at < keys.length; at += options.batchSize) {
      if (options.signal.aborted || this.#closed) return;
      const page = keys.slice(at, at + options.batchSize);
      const documents = this.#run(() =>
        page.map(({ uuid }) => this.#prepared().get.get(uuid) as { document: string } | undefined),
      );
      for (const row of documents) {
        if (options.signal.aborted || this.#closed) return;
        if (row) yield JSON.parse(row.document) as VconDocument;
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const reader of this.#exports) if (reader.open) reader.close();
    this.#exports.clear();
    this.#queries.clear();
    this.#statements = null;
    if (this.#db?.open) this.#db.close();
    this.#db = null;
  }

  /** Documents and keys of one call in one IMMEDIATE transaction: the write lock is taken up front. */
  #write(vcons: readonly PreparedVcon[]): void {
    const statements = this.#prepared();
    const now = Date.now();
    // Keys first, outside the lock: computing them can be the slow part of a big vCon.
    const rows = vcons.map((vcon) => ({ vcon, keys: searchKeysOf(vcon) }));
    this.#database()
      .transaction(() => {
        for (const { vcon, keys } of rows) {
          statements.upsert.run({
            uuid: vcon.uuid,
            createdMs: vcon.createdAtMs ?? now,
            hasCreated: vcon.createdAtMs === null ? 0 : 1,
            updatedMs: now,
            document: vcon.json,
          });
          statements.deleteKeysOf.run(vcon.uuid);
          for (const key of keys) statements.insertKey.run(vcon.uuid, key.kind, key.value);
        }
      })
      .immediate();
  }

  #database(): Database.Database {
    if (this.#closed) throw new ClosedError();
    if (this.#db) return this.#db;
    if (!this.inMemory) {
      try {
        mkdirSync(dirname(this.path), { recursive: true });
      } catch (error) {
        throw new UnavailableError(
          `Cannot create the folder of SQLite database ${this.path} (${(error as { code?: string }).code}): create it, or choose another options.path.`,
          { cause: error, retryable: false },
        );
      }
    }
    const db = new Database(this.path);
    try {
      db.pragma(`busy_timeout = ${this.#options.busyTimeoutMs}`);
      if (!this.inMemory) db.pragma("journal_mode = WAL");
      db.pragma(`synchronous = ${this.#options.synchronous.toUpperCase()}`);
      this.#appliedAtOpen = this.#migrate(db);
    } catch (error) {
      db.close();
      throw error;
    }
    this.#db = db;
    return db;
  }

  /** Pending migrations in one IMMEDIATE transaction: processes starting together migrate once. */
  #migrate(db: Database.Database): string[] {
    const t = this.tables;
    return db
      .transaction(() => {
        const applied: string[] = [];
        db.prepare(
          `CREATE TABLE IF NOT EXISTS ${t.migrations} (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_ms INTEGER NOT NULL)`,
        ).run();
        const current = (
          db.prepare(`SELECT COALESCE(MAX(version), 0) AS version FROM ${t.migrations}`).get() as {
            version: number;
          }
        ).version;
        if (current > LATEST_VERSION) {
          throw new UnavailableError(
            `${t.base} in ${this.path} has schema version ${current}, newer than this @vcon/storage-sqlite knows (${LATEST_VERSION}): upgrade the package.`,
            { retryable: false },
          );
        }
        for (const migration of MIGRATIONS) {
          if (migration.version <= current) continue;
          for (const statement of migration.statements(t)) db.prepare(statement).run();
          db.prepare(`INSERT INTO ${t.migrations} (version, name, applied_ms) VALUES (?, ?, ?)`).run(
            migration.version,
            migration.name,
            Date.now(),
          );
          applied.push(migration.name);
        }
        return applied;
      })
      .immediate();
  }

  #prepared(): ReturnType<typeof prepareStatements> {
    this.#statements ??= prepareStatements(this.#database(), this.tables);
    return this.#statements;
  }

  /** A search or export statement, prepared once per shape. */
  #query(query: Query): { all(): unknown[] } {
    let statement = this.#queries.get(query.sql);
    if (!statement) {
      if (this.#queries.size >= STATEMENT_CACHE) this.#queries.clear();
      statement = this.#database().prepare(query.sql);
      this.#queries.set(query.sql, statement);
    }
    const prepared = statement;
    return { all: () => prepared.all(...query.params) };
  }

  #run<T>(body: () => T): T {
    if (this.#closed) throw new ClosedError();
    try {
      return body();
    } catch (error) {
      if (this.#closed) throw new ClosedError();
      throw toStorageError(error, this.#errors);
    }
  }
}

interface UpsertParams {
  uuid: string;
  createdMs: number;
  hasCreated: 0 | 1;
  updatedMs: number;
  document: string;
}

function prepareStatements(db: Database.Database, t: Tables) {
  return {
    get: db.prepare(`SELECT document FROM ${t.documents} WHERE uuid = ?`),
    exists: db.prepare(`SELECT 1 FROM ${t.documents} WHERE uuid = ?`),
    // A save without created_at keeps the stored one (hasCreated = 0).
    upsert: db.prepare<[UpsertParams]>(
      `INSERT INTO ${t.documents} AS row (uuid, created_ms, updated_ms, document)
       VALUES (@uuid, @createdMs, @updatedMs, @document)
       ON CONFLICT (uuid) DO UPDATE SET
         created_ms = CASE WHEN @hasCreated = 1 THEN excluded.created_ms ELSE row.created_ms END,
         updated_ms = excluded.updated_ms, document = excluded.document`,
    ),
    deleteKeysOf: db.prepare(`DELETE FROM ${t.keys} WHERE uuid = ?`),
    insertKey: db.prepare(`INSERT INTO ${t.keys} (uuid, kind, value) VALUES (?, ?, ?)`),
    deleteDocument: db.prepare(`DELETE FROM ${t.documents} WHERE uuid = ?`),
  };
}
