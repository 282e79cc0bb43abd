import { mkdir } from "node:fs/promises";
import { inspect } from "node:util";
import { PGlite } from "@electric-sql/pglite";
import {
  encodeCursor,
  isStorageError,
  type Logger,
  type NormalizedExportOptions,
  type NormalizedSearchQuery,
  type PreparedVcon,
  type SearchPage,
  type StorageAdapter,
  silentLogger,
  UnavailableError,
  ValidationError,
  type VconDocument,
} from "@vcon/storage-core";
import pg from "pg";
import { copyChunks } from "./copy-text.js";
import { lockDataDir } from "./data-dir-lock.js";
import { toStorageError } from "./errors.js";
import { type Executor, pgliteExecutor, poolExecutor } from "./executor.js";
import { type TableName, tableName } from "./identifiers.js";
import { jsonbSafeCopy, textColumnSafe } from "./jsonb.js";
import { applyMigrations, type MigrationResult } from "./migrate.js";
import {
  describeTarget,
  type PostgresOptions,
  parsePostgresOptions,
  poolConfig,
  type ResolvedOptions,
  resolveTarget,
} from "./options.js";
import { searchStatement } from "./search.js";
import { type Statements, statements } from "./statements.js";

const INSUFFICIENT_PRIVILEGE = "42501";

/** Rows per FETCH of a server-side export cursor (fewer when the caller's batchSize is smaller). */
const EXPORT_FETCH_ROWS = 100;

/** How the adapter reached its database: for logs and `describe()`, never with a password. */
export type ConnectionMode = "server" | "embedded" | "pool" | "pglite";

/**
 * vCons in PostgreSQL: on a pg pool (server) or PGlite (embedded), one table laid out as vcon-server's
 * Python module lays it out. Create it with `PostgresAdapter.connect(options)`.
 */
export class PostgresAdapter implements StorageAdapter {
  readonly name = "postgres";
  readonly capabilities = { delete: true, exists: true, saveMany: true, search: true, export: true };
  readonly maxBatchSize = 5000;
  /** One statement carries a chunk: keep it well under PostgreSQL's 1 GiB message limit. */
  readonly maxBatchBytes = 64 * 1024 * 1024;
  readonly mode: ConnectionMode;
  readonly table: TableName;
  #executor: Executor;
  #sql: Statements;
  #errorContext: { target: string; secrets: string[]; qualifiedTable: string };
  #logger: Logger;
  /** False once the server refused a temporary table (no TEMPORARY privilege): batches use unnest. */
  #staging = true;

  private constructor(
    executor: Executor,
    table: TableName,
    mode: ConnectionMode,
    target: string,
    secrets: string[],
    logger: Logger,
  ) {
    this.#executor = executor;
    this.table = table;
    this.mode = mode;
    this.#sql = statements(table);
    this.#errorContext = { target, secrets, qualifiedTable: table.qualified };
    this.#logger = logger;
  }

  /** Opens the connection (or PGlite), applies migrations unless `autoMigrate` is off, and checks the table. */
  static async connect(input: PostgresOptions = {}, logger: Logger = silentLogger): Promise<PostgresAdapter> {
    const options = parsePostgresOptions(input);
    const adapter = await PostgresAdapter.open(options, logger);
    try {
      if (options.autoMigrate) {
        const { applied } = await adapter.migrate();
        if (applied.length > 0) {
          logger.info(
            { adapter: "postgres", applied, table: adapter.table.qualified },
            "vcon storage migrated",
          );
        }
      } else {
        await adapter.#guard(() =>
          adapter.#executor.query(`SELECT 1 FROM ${adapter.table.qualified} LIMIT 0`),
        );
      }
    } catch (error) {
      await adapter.close().catch(() => {});
      throw error;
    }
    return adapter;
  }

  /** Opens the connection without migrating or checking anything: for `migrate()` and tools. */
  static async open(input: PostgresOptions = {}, logger: Logger = silentLogger): Promise<PostgresAdapter> {
    const options = parsePostgresOptions(input);
    const table = tableName(options.schema, options.table);
    const { executor, mode, target, secrets } = await openExecutor(options);
    return new PostgresAdapter(executor, table, mode, target, secrets, logger);
  }

  /** Applies pending migrations to this adapter's schema and table. Needs DDL rights. */
  migrate(): Promise<MigrationResult> {
    return this.#guard(() => applyMigrations(this.#executor, this.table));
  }

  save(vcon: PreparedVcon): Promise<void> {
    const { name, text } = this.#sql.save;
    return this.#executor.query(text, rowValues(vcon), name).then(nothing, this.#rethrow);
  }

  /**
   * One transaction per chunk (core's unit of atomicity). Server: COPY into a staging table, then one
   * INSERT ... SELECT ... ON CONFLICT; PGlite: one statement over parameter arrays. Either way the
   * rows go in id order, so concurrent batches sharing uuids lock in the same order.
   */
  async saveMany(chunk: readonly PreparedVcon[]): Promise<void> {
    if (chunk.length === 0) return;
    const sorted = [...chunk].sort(byUuid);
    if (this.#executor.kind === "pg" && this.#staging) {
      const { create, copy, merge } = this.#sql.stage;
      let refused = false;
      try {
        await this.#guard(() =>
          this.#executor.transaction(async (query, copyIn) => {
            try {
              await query(create);
            } catch (error) {
              // A role without the TEMPORARY privilege on the database: nothing was written yet.
              refused = (error as { code?: unknown }).code === INSUFFICIENT_PRIVILEGE;
              throw error;
            }
            await copyIn!(copy, copyChunks(sorted.map(rowValues)));
            await query(merge);
          }),
        );
        return;
      } catch (error) {
        if (!refused) throw error;
        this.#staging = false;
        this.#logger.info(
          { adapter: "postgres", table: this.table.qualified },
          "no TEMPORARY privilege: saveMany uses one INSERT ... SELECT FROM unnest(...) per chunk",
        );
      }
    }
    // Parameter arrays, one per column: ids, texts, created_ats, subjects, sanitised copies, parties.
    const columns: (string | null)[][] = [[], [], [], [], [], []];
    for (const vcon of sorted) {
      rowValues(vcon).forEach((value, column) => {
        columns[column]!.push(value);
      });
    }
    const { name, text } = this.#sql.saveMany;
    await this.#guard(() => this.#executor.query(text, columns, name));
  }

  get(uuid: string): Promise<VconDocument | null> {
    const { name, text } = this.#sql.get;
    return this.#executor.query<{ body: string | null }>(text, [uuid], name).then(parseBody, this.#rethrow);
  }

  async exists(uuid: string): Promise<boolean> {
    const { name, text } = this.#sql.exists;
    const rows = await this.#guard(() => this.#executor.query(text, [uuid], name));
    return rows.length > 0;
  }

  async delete(uuid: string): Promise<boolean> {
    const { name, text } = this.#sql.delete;
    const rows = await this.#guard(() =>
      this.#executor.query<{ id: string }>(`${text} RETURNING id`, [uuid], `${name}_r`),
    );
    return rows.length > 0;
  }

  async search(query: NormalizedSearchQuery): Promise<SearchPage> {
    // Named after its text: PostgreSQL parses and plans each query shape once per connection.
    const { name, text, values } = searchStatement(this.table, query, query.limit + 1, query.after);
    const rows = await this.#guard(() =>
      this.#executor.query<{ body: string; id: string; cursor_time: string }>(text, values, name),
    );
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map((row) => JSON.parse(row.body) as VconDocument),
      nextCursor:
        rows.length > query.limit && last
          ? encodeCursor({ createdAt: last.cursor_time, uuid: last.id })
          : null,
    };
  }

  /**
   * Server mode streams through a server-side cursor (DECLARE / FETCH) on one connection, so memory
   * stays flat. PGlite has a single connection that a long transaction would block, so there the
   * export walks the (created_at, id) index in keyset pages instead.
   */
  async *export(options: NormalizedExportOptions): AsyncIterable<VconDocument> {
    yield* this.mode === "server" || this.mode === "pool"
      ? this.#exportWithCursor(options)
      : this.#exportByPages(options);
  }

  async close(): Promise<void> {
    await this.#executor.close();
  }

  /** What this adapter is connected to, without secrets. */
  describe(): Record<string, unknown> {
    return {
      adapter: "postgres",
      mode: this.mode,
      target: this.#errorContext.target,
      table: this.table.qualified,
    };
  }

  toJSON(): Record<string, unknown> {
    return this.describe();
  }

  [inspect.custom](): string {
    return `PostgresAdapter ${inspect(this.describe())}`;
  }

  async *#exportWithCursor(options: NormalizedExportOptions): AsyncIterable<VconDocument> {
    const pool = (this.#executor as Executor & { pool?: pg.Pool }).pool!;
    const client = await this.#guard(() => pool.connect());
    let released = false;
    const release = (destroy: boolean) => {
      if (released) return;
      released = true;
      client.release(destroy || undefined);
    };
    // close() aborts the signal while a consumer may sit on a yielded document: drop the connection
    // then, or pool.end() would wait for it forever.
    const onAbort = () => release(true);
    options.signal.addEventListener("abort", onAbort, { once: true });
    const { text, values } = searchStatement(
      this.table,
      { since: options.since, until: options.until },
      null,
      null,
    );
    // Rows are fetched in small slices and the next FETCH is sent only when the consumer has taken
    // every document of the previous one, so memory is bounded by one slice per export, not by the
    // export's size or the consumer's speed.
    const fetchSize = Math.min(options.batchSize, EXPORT_FETCH_ROWS);
    const fetchSql = `FETCH ${fetchSize} FROM vcon_export`;
    try {
      await this.#guard(() => client.query("BEGIN READ ONLY"));
      await this.#guard(() => client.query(`DECLARE vcon_export NO SCROLL CURSOR FOR ${text}`, values));
      while (!options.signal.aborted) {
        const { rows } = await this.#guard(() => client.query<{ body: string }>(fetchSql));
        for (let i = 0; i < rows.length; i++) {
          const body = rows[i]!.body;
          // Drop the row's text once parsed: only the documents not yet consumed stay reachable.
          (rows as unknown[])[i] = undefined;
          yield JSON.parse(body) as VconDocument;
        }
        if (rows.length < fetchSize) break;
      }
    } finally {
      options.signal.removeEventListener("abort", onAbort);
      if (!released) {
        // Ends the transaction and its cursor, whether the consumer finished, stopped early or failed.
        const clean = await client.query("ROLLBACK").then(
          () => true,
          () => false,
        );
        release(!clean);
      }
    }
  }

  async *#exportByPages(options: NormalizedExportOptions): AsyncIterable<VconDocument> {
    let after: { createdAt: string; uuid: string } | null = null;
    while (!options.signal.aborted) {
      const { name, text, values } = searchStatement(
        this.table,
        { since: options.since, until: options.until },
        options.batchSize,
        after,
      );
      const rows = await this.#guard(() =>
        this.#executor.query<{ body: string; id: string; cursor_time: string }>(text, values, name),
      );
      for (const row of rows) yield JSON.parse(row.body) as VconDocument;
      const last = rows.at(-1);
      if (!last || rows.length < options.batchSize) break;
      after = { createdAt: last.cursor_time, uuid: last.id };
    }
  }

  async #guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw this.#mapError(error);
    }
  }

  /** Throws a driver error as a StorageError; made once, so hot paths hand it to `then`. */
  readonly #rethrow = (error: unknown): never => {
    throw this.#mapError(error);
  };

  #mapError(error: unknown): Error {
    const mapped = toStorageError(error, this.#errorContext);
    this.#logger.debug({ adapter: "postgres", code: mapped.code, err: mapped }, "postgres error");
    return mapped;
  }
}

function parseBody(rows: { body: string | null }[]): VconDocument | null {
  const body = rows[0]?.body;
  return typeof body === "string" ? (JSON.parse(body) as VconDocument) : null;
}

function nothing(): void {}

/** Canonical uuids are lower-case hex at fixed places: string order is PostgreSQL's uuid order. */
function byUuid(a: PreparedVcon, b: PreparedVcon): number {
  return a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0;
}

/**
 * One vCon as the database takes it, in the order of the save statement's parameters, the staging
 * table's columns and the batch statement's arrays: id, vcon, created_at, subject, sanitised, parties.
 */
function rowValues(vcon: PreparedVcon): (string | null)[] {
  return [
    vcon.uuid,
    vcon.json,
    vcon.createdAt,
    textColumnSafe(vcon.subject),
    jsonbSafeCopy(vcon.json),
    signedParties(vcon),
  ];
}

/** A signed vCon's parties live in its payload: index the keys core read from it. */
function signedParties(vcon: PreparedVcon): string | null {
  if (vcon.form !== "signed" || vcon.parties.length === 0) return null;
  const json = JSON.stringify(vcon.parties);
  return jsonbSafeCopy(json) ?? json;
}

async function openExecutor(options: ResolvedOptions): Promise<{
  executor: Executor;
  mode: ConnectionMode;
  target: string;
  secrets: string[];
}> {
  const borrowed = options.db?.$client ?? options.pool ?? options.pglite;
  if (borrowed instanceof pg.Pool) {
    return {
      executor: withPool(poolExecutor(borrowed, false), borrowed),
      mode: "pool",
      target: "caller's pool",
      secrets: [],
    };
  }
  if (borrowed instanceof PGlite) {
    return {
      executor: pgliteExecutor(borrowed, false),
      mode: "pglite",
      target: "caller's PGlite",
      secrets: [],
    };
  }
  if (borrowed !== undefined) {
    throw toStorageError(new TypeError("db.$client is neither a pg.Pool nor a PGlite"), {
      target: "caller's database",
      secrets: [],
      qualifiedTable: "",
    });
  }
  if (options.embedded) {
    const dataDir = options.embedded === true ? undefined : options.embedded.dataDir;
    const { db, release } = await openPglite(dataDir);
    await db.exec("SET TimeZone = 'UTC'");
    return {
      executor: releasingOnClose(pgliteExecutor(db, true), release),
      mode: "embedded",
      target: dataDir ? `PGlite at ${dataDir}` : "PGlite in memory",
      secrets: [],
    };
  }
  const target = resolveTarget(options);
  const pool = new pg.Pool(poolConfig(options, target));
  // An idle client losing its server must not crash the process: the pool replaces it on next use.
  pool.on("error", () => {});
  const secrets = target.password ? [target.password] : [];
  return {
    executor: withPool(poolExecutor(pool, true), pool),
    mode: "server",
    target: describeTarget(target),
    secrets,
  };
}

/**
 * PGlite creates its data folder but not the folders above it, so a fresh checkout's
 * `./.data/pglite` would fail: create them first, claim the folder for this process, and turn a
 * path that cannot hold a database into a typed error instead of PGlite's bare filesystem exception.
 */
async function openPglite(dataDir: string | undefined): Promise<{ db: PGlite; release(): Promise<void> }> {
  const nothingToRelease = async () => {};
  if (dataDir === undefined) return { db: await PGlite.create(), release: nothingToRelease };
  // PGlite reads `file://path` as a folder too; other schemes (`memory://`, `idb://`) are not on disk.
  const folder = dataDir.startsWith("file://") ? dataDir.slice("file://".length) : dataDir;
  if (folder.includes("://")) return { db: await PGlite.create({ dataDir }), release: nothingToRelease };
  let release = nothingToRelease;
  try {
    await mkdir(folder, { recursive: true });
    release = await lockDataDir(folder);
    return { db: await PGlite.create({ dataDir }), release };
  } catch (error) {
    await release();
    if (isStorageError(error)) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const message = `PGlite cannot open its data directory ${dataDir}`;
    throw code === "ENOTDIR" || code === "EEXIST"
      ? new ValidationError(message, [
          { path: "options.embedded.dataDir", message: `not a usable folder (${code})` },
        ])
      : new UnavailableError(message, { cause: error });
  }
}

/** Runs `release` once the executor has closed. */
function releasingOnClose(executor: Executor, release: () => Promise<void>): Executor {
  const close = executor.close.bind(executor);
  return Object.assign(executor, {
    async close() {
      try {
        await close();
      } finally {
        await release();
      }
    },
  });
}

/** Export needs a dedicated client for its cursor: keep the pool reachable beside the executor. */
function withPool(executor: Executor, pool: pg.Pool): Executor & { pool: pg.Pool } {
  return Object.assign(executor, { pool });
}
