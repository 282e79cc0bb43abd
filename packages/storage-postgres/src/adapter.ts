import { inspect } from "node:util";
import {
  type ChangeBacklog,
  type ChangeClaim,
  encodeCursor,
  type Logger,
  type NormalizedExportOptions,
  type NormalizedSearchQuery,
  type PreparedVcon,
  type ReadOptions,
  type SearchPage,
  type StorageAdapter,
  type StorageChange,
  silentLogger,
  type VconDocument,
} from "@vcon/storage-core/adapter";
import { ChangeLog } from "./changes/index.js";
import { type Connection, type ConnectionMode, connectionFor, connectionMode } from "./connect/index.js";
import { ErrorFunnel, toStorageError } from "./errors.js";
import { NAME } from "./name.js";
import { type PostgresOptions, parsePostgresOptions, type ResolvedOptions } from "./options.js";
import {
  createReadRouter,
  type ReadRouter,
  type ReplicaStatus,
  type Route,
  replicaTargets,
} from "./replicas/index.js";
import { type BackfillOptions, type BackfillResult, backfillKeys } from "./sql/backfill.js";
import { BatchWriter } from "./sql/batch.js";
import { GroupWriter } from "./sql/group-writer.js";
import { type TableName, tableName } from "./sql/identifiers.js";
import { applyMigrations, type MigrationResult } from "./sql/migrations.js";
import { type SearchInput, type SearchRow, searchPage, searchStatements } from "./sql/search.js";
import { type Statements, statements } from "./sql/statements.js";

/** Rows per FETCH of a server-side export cursor (fewer when the caller's batchSize is smaller). */
const EXPORT_FETCH_ROWS = 100;

/**
 * vCons in PostgreSQL: on a pg pool (server) or PGlite (embedded), one table laid out as vcon-server's
 * Python module lays it out. `PostgresAdapter.connect(options)` makes one and opens it; the registry's
 * `create` makes one unopened, and core calls `open()` (connect, then migrate or check the table) before
 * the first operation.
 */
export class PostgresAdapter implements StorageAdapter {
  readonly name = NAME;
  readonly capabilities = {
    delete: true,
    exists: true,
    saveMany: true,
    search: true,
    export: true,
    searchText: true,
    searchTags: true,
    changes: true,
    claimChanges: true,
  };
  readonly maxBatchSize = 5000;
  /** One statement carries a chunk: keep it well under PostgreSQL's 1 GiB message limit. */
  readonly maxBatchBytes = 64 * 1024 * 1024;
  readonly table: TableName;
  #connection: Connection;
  #sql: Statements;
  #errors: ErrorFunnel;
  #batches: BatchWriter;
  #saves: GroupWriter;
  #changes: ChangeLog;
  /** Where reads go: the primary, or a healthy read replica (see replicas/read-router.ts). */
  #reads: ReadRouter;
  #options: ResolvedOptions;
  #logger: Logger;
  #opened = false;
  #opening: Promise<void> | null = null;

  /**
   * Makes the adapter without any I/O: bad options (a schema or table name, replica URLs, a `db` that is
   * neither kind) fail here as VALIDATION, with nothing to close; pools connect on first use.
   */
  private constructor(options: ResolvedOptions, logger: Logger) {
    const table = tableName(options.schema, options.table);
    const replicas = replicaTargets(options);
    let connection: Connection;
    try {
      connection = connectionFor(options);
    } catch (error) {
      throw toStorageError(error, { target: "the configured database", secrets: [], qualifiedTable: "" });
    }
    this.#options = options;
    this.#logger = logger;
    this.#connection = connection;
    this.table = table;
    this.#sql = statements(table);
    this.#changes = new ChangeLog(connection, table);
    const errorContext = {
      target: connection.target,
      secrets: connection.secrets,
      qualifiedTable: table.qualified,
    };
    this.#errors = new ErrorFunnel(errorContext, logger);
    this.#saves = new GroupWriter(
      connection,
      this.#sql,
      (error) => toStorageError(error, errorContext).code === "UNAVAILABLE",
      options.maxWritesInFlight,
    );
    const primary: Route = { connection, errors: this.#errors };
    this.#reads = createReadRouter(options, replicas, primary, table.qualified, logger);
    this.#batches = new BatchWriter(connection, this.#sql, () =>
      logger.info(
        { adapter: NAME, table: table.qualified },
        "no TEMPORARY privilege: saveMany uses one INSERT ... SELECT FROM unnest(...) per chunk",
      ),
    );
  }

  /**
   * A convenience for using the adapter on its own (or handing it to `fromAdapter` already open): makes
   * the adapter and runs `open()` (connect, then apply migrations unless `autoMigrate` is off, or check
   * the table). A failure closes what it made and rejects. The registry's `create` leaves opening to core.
   */
  static connect(input: PostgresOptions = {}, logger: Logger = silentLogger): Promise<PostgresAdapter> {
    return connectAdapter(parsePostgresOptions(input), logger);
  }

  /**
   * Makes the adapter and starts its connection without migrating or checking anything: for `migrate()`
   * and tools. (Not the instance's `open()`, which also migrates.)
   */
  static open(input: PostgresOptions = {}, logger: Logger = silentLogger): Promise<PostgresAdapter> {
    return PostgresAdapter.openParsed(parsePostgresOptions(input), logger);
  }

  /** @internal `open` for options already parsed (the registry parses them once). */
  static async openParsed(options: ResolvedOptions, logger: Logger = silentLogger): Promise<PostgresAdapter> {
    const adapter = PostgresAdapter.unopened(options, logger);
    await adapter.#start();
    return adapter;
  }

  /** @internal The adapter, not yet opened, for options already parsed: what the registry's `create` returns. */
  static unopened(options: ResolvedOptions, logger: Logger = silentLogger): PostgresAdapter {
    return new PostgresAdapter(options, logger);
  }

  /**
   * Connects (PGlite of our own starts here), then applies pending migrations unless `autoMigrate` is
   * off, or else checks that the table is there. Core calls it once before the first operation; calls
   * while it runs share it; after a failure the next call tries again, reusing the pool (or PGlite)
   * already made. Resolves at once when open.
   */
  open(): Promise<void> {
    if (this.#opened) return Promise.resolve();
    this.#opening ??= this.#openOnce().then(
      () => {
        this.#opened = true;
        this.#opening = null;
      },
      (error: unknown) => {
        this.#opening = null;
        throw error;
      },
    );
    return this.#opening;
  }

  async #openOnce(): Promise<void> {
    await this.#start();
    if (this.#options.autoMigrate) {
      const { applied } = await this.migrate();
      if (applied.length > 0) {
        this.#logger.info({ adapter: NAME, applied, table: this.table.qualified }, "vcon storage migrated");
      }
    } else {
      await this.checkTable();
    }
  }

  /** Starts the connection where it needs starting (PGlite of our own); a pool connects on first use. */
  #start(): Promise<void> {
    return this.#connection.open ? this.#errors.guard(this.#connection.open()) : Promise.resolve();
  }

  /** How it is connected: `server` / `embedded` (its own pool or PGlite), `pool` / `pglite` (the caller's). */
  get mode(): ConnectionMode {
    return connectionMode(this.#connection);
  }

  /** Applies pending migrations to this adapter's schema and table. Needs DDL rights. */
  migrate(): Promise<MigrationResult> {
    return this.#errors.guard(applyMigrations(this.#connection, this.table));
  }

  /**
   * Computes the search keys of rows that have none (from before this version, or written by
   * vcon-server's Python module), in short batches. Search finds such rows anyway, only slower.
   */
  backfill(options?: BackfillOptions): Promise<BackfillResult> {
    return this.#errors.guard(backfillKeys(this.#connection, this.table, options));
  }

  /** Fails (typed) when the table is not there: what `connect` checks when it does not migrate. */
  async checkTable(): Promise<void> {
    await this.#errors.guard(this.#connection.query(`SELECT 1 FROM ${this.table.qualified} LIMIT 0`));
  }

  /** Concurrent saves are coalesced into one statement and one commit (see GroupWriter). */
  save(vcon: PreparedVcon): Promise<void> {
    return this.#wrote([vcon.uuid], this.#errors.guard(this.#saves.save(vcon)));
  }

  saveMany(chunk: readonly PreparedVcon[]): Promise<void> {
    return this.#wrote(
      chunk.map((vcon) => vcon.uuid),
      this.#errors.guard(this.#batches.write(chunk)),
    );
  }

  /** On a read replica when one is healthy, unless `uuid` was written lately or the primary is asked for. */
  get(uuid: string, options?: ReadOptions): Promise<VconDocument | null> {
    const { name, text } = this.#sql.get;
    return this.#reads
      .read(uuid, options, ({ connection, errors }) =>
        errors.guard(connection.read<{ body: string | null }>(text, [uuid], name)),
      )
      .then(parseBody);
  }

  async exists(uuid: string, options?: ReadOptions): Promise<boolean> {
    const { name, text } = this.#sql.exists;
    const rows = await this.#reads.read(uuid, options, ({ connection, errors }) =>
      errors.guard(connection.read(text, [uuid], name)),
    );
    return rows.length > 0;
  }

  async delete(uuid: string): Promise<boolean> {
    const { name, text } = this.#sql.delete;
    const rows = await this.#wrote([uuid], this.#errors.guard(this.#connection.query(text, [uuid], name)));
    return rows.length > 0;
  }

  /** On a read replica when one is healthy (it may miss the last `maxReplicaLagMs` of writes). */
  async search(query: NormalizedSearchQuery, options?: ReadOptions): Promise<SearchPage> {
    const rows = await this.#reads.read(null, options, (route) =>
      searchPage(this.table, query, (statement) => this.#run(statement, route)),
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
   * Streams through a server-side cursor where the connection has one (a pg pool), so memory stays
   * flat. PGlite has a single connection that a long transaction would block, so there the export
   * walks the (created_at, id) index in keyset pages instead.
   */
  async *export(options: NormalizedExportOptions): AsyncIterable<VconDocument> {
    // One server for the whole run: a replica when one is healthy; if it fails before the first
    // document, the primary instead (after that, a switch could repeat or skip documents).
    const route = this.#reads.exportRoute(options);
    if (route === this.#reads.primary) {
      yield* this.#exportFrom(route, options);
      return;
    }
    let yielded = false;
    try {
      for await (const document of this.#exportFrom(route, options)) {
        yielded = true;
        yield document;
      }
    } catch (error) {
      if (yielded || options.signal.aborted) throw error;
      this.#reads.failed(route, error);
      yield* this.#exportFrom(this.#reads.primary, options);
    }
  }

  async *#exportFrom(
    { connection, errors }: Route,
    options: NormalizedExportOptions,
  ): AsyncIterable<VconDocument> {
    const range = { since: options.since, until: options.until };
    const { cursor } = connection;
    if (!cursor) {
      yield* this.#exportByPages(range, options);
      return;
    }
    const { text, values } = searchStatements(this.table, range).walk;
    // Rows are fetched in small slices and the next FETCH is sent only when the consumer has taken
    // every document of the previous one, so memory is bounded by one slice per export, not by the
    // export's size or the consumer's speed.
    const fetchSize = Math.min(options.batchSize, EXPORT_FETCH_ROWS);
    try {
      for await (const rows of cursor<SearchRow>(text, values, fetchSize, options.signal)) {
        for (let i = 0; i < rows.length; i++) {
          const body = rows[i]!.body;
          // Drop the row's text once parsed: only the documents not yet consumed stay reachable.
          (rows as unknown[])[i] = undefined;
          yield JSON.parse(body) as VconDocument;
        }
      }
    } catch (error) {
      throw errors.map(error);
    }
  }

  /**
   * The change log (capability `changes`), on the primary always: triggers record each write in its own
   * transaction, whoever writes the table; `recordChanges` creates or drops them (see src/changes/).
   */
  recordChanges(on: boolean): Promise<void> {
    return this.#errors.guard(this.#changes.record(on));
  }

  readChanges(limit: number): Promise<StorageChange[]> {
    return this.#errors.guard(this.#changes.read(limit));
  }

  acknowledgeChanges(ids: readonly string[]): Promise<void> {
    return this.#errors.guard(this.#changes.acknowledge(ids));
  }

  pendingChanges(): Promise<ChangeBacklog> {
    return this.#errors.guard(this.#changes.pending());
  }

  /** In `<table>_change_claim` on the primary, where every service on this table sees it. */
  claimChanges(consumer: string, { takeOver }: { takeOver: boolean }): Promise<ChangeClaim> {
    return this.#errors.guard(this.#changes.claim(consumer, takeOver));
  }

  /** The read replicas and what their last health check found (empty without replicas). */
  replicas(): ReplicaStatus[] {
    return this.#reads.status();
  }

  /** Checks every read replica now, backing-off ones too, and reports them. */
  checkReplicas(): Promise<ReplicaStatus[]> {
    return this.#reads.check();
  }

  async close(): Promise<void> {
    try {
      await this.#reads.close();
    } finally {
      await this.#connection.close();
    }
  }

  /** What this adapter is connected to, without secrets. */
  describe(): Record<string, unknown> {
    const about = {
      adapter: NAME,
      mode: this.mode,
      target: this.#connection.target,
      table: this.table.qualified,
    };
    return this.#reads.active
      ? { ...about, replicas: this.#reads.status().map((replica) => replica.target) }
      : about;
  }

  toJSON(): Record<string, unknown> {
    return this.describe();
  }

  [inspect.custom](): string {
    return `PostgresAdapter ${inspect(this.describe())}`;
  }

  /** Named after its text: PostgreSQL parses and plans each query shape once per connection. */
  #run(
    { name, text, values }: { name: string; text: string; values: unknown[] },
    { connection, errors }: Route = this.#reads.primary,
  ): Promise<SearchRow[]> {
    return errors.guard(connection.query<SearchRow>(text, values, name));
  }

  /** Read-your-writes: reads of these uuids go to the primary while replicas may lag behind the write. */
  #wrote<T>(uuids: readonly string[], write: Promise<T>): Promise<T> {
    if (!this.#reads.active) return write;
    this.#reads.noteWrites(uuids);
    return write.finally(() => this.#reads.noteWrites(uuids));
  }

  async *#exportByPages(
    range: Pick<SearchInput, "since" | "until">,
    options: NormalizedExportOptions,
  ): AsyncIterable<VconDocument> {
    let after: SearchInput["after"] = null;
    while (!options.signal.aborted) {
      const rows = await this.#run(
        searchStatements(this.table, { ...range, after, limit: options.batchSize }).walk,
      );
      for (const row of rows) yield JSON.parse(row.body) as VconDocument;
      const last = rows.at(-1);
      if (!last || rows.length < options.batchSize) break;
      after = { createdAt: last.cursor_time, uuid: last.id };
    }
  }
}

/** `PostgresAdapter.connect` for options already parsed: made, opened, and closed again if opening fails. */
export async function connectAdapter(
  options: ResolvedOptions,
  logger: Logger = silentLogger,
): Promise<PostgresAdapter> {
  const adapter = PostgresAdapter.unopened(options, logger);
  try {
    await adapter.open();
  } catch (error) {
    await adapter.close().catch(() => {});
    throw error;
  }
  return adapter;
}

function parseBody(rows: { body: string | null }[]): VconDocument | null {
  const body = rows[0]?.body;
  return typeof body === "string" ? (JSON.parse(body) as VconDocument) : null;
}
