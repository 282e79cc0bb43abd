import {
  ClosedError,
  inspectSafely,
  type Logger,
  type NormalizedExportOptions,
  type NormalizedSearchQuery,
  type PreparedVcon,
  type SearchPage,
  type StorageAdapter,
  searchKeysOf,
  searchPageOf,
  silentLogger,
  ValidationError,
  type VconDocument,
} from "@vcon/storage-core/adapter";
import mysql, { type Pool, type PoolConnection, type RowDataPacket } from "mysql2/promise";
import { type ErrorContext, isDeadlock, toStorageError } from "./errors.js";
import {
  type ConnectionTarget,
  describeTarget,
  type MysqlOptions,
  NAME,
  parseMysqlOptions,
  type ResolvedOptions,
  resolveTarget,
  secretsOf,
} from "./options.js";
import { type MigrationResult, migrate, schemaVersion } from "./sql/migrate.js";
import { LATEST_VERSION, type Tables, tablesFor } from "./sql/schema.js";
import { exportPage, type Position, searchQuery } from "./sql/search.js";
import { inShapes, Statements } from "./sql/statements.js";

/** Room left in each packet for the statement text and parameter headers. */
const PACKET_HEADROOM = 64 * 1024;
/** Tries of one transaction that InnoDB picked as a deadlock victim (or that waited too long for a lock). */
const DEADLOCK_TRIES = 8;

interface DocumentRow extends RowDataPacket {
  uuid: string;
  created_ms: number | string;
  document: string;
}

interface CallbackConnection {
  query(sql: string, callback: (error: unknown) => void): void;
}

/** What the server said about itself when the adapter opened. */
export interface ServerInfo {
  version: string;
  flavor: "mariadb" | "mysql";
  maxAllowedPacket: number;
}

/**
 * vCons in MySQL or MariaDB: `<table>` holds each document's exact text, `<table>_keys` its search
 * keys (one row per value), written in the same transaction. See README.md for the design.
 */
export class MysqlAdapter implements StorageAdapter {
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
  #options: ResolvedOptions;
  #target: ConnectionTarget;
  #errors: ErrorContext;
  #statements: Statements;
  #pool: Pool;
  #logger: Logger;
  #opening: Promise<void> | null = null;
  #server: ServerInfo | null = null;
  #closed = false;

  constructor(options: MysqlOptions = {}, logger: Logger = silentLogger) {
    this.#options = parseMysqlOptions(options);
    this.#logger = logger;
    this.#target = resolveTarget(this.#options);
    this.tables = tablesFor(this.#options.table);
    this.#statements = new Statements(this.tables);
    this.#errors = {
      target: describeTarget(this.#target),
      secrets: secretsOf(this.#target),
      table: this.#options.table,
    };
    // The pool holds the password: logs and JSON show only where it points.
    inspectSafely(this, "MysqlAdapter", () => ({
      name: this.name,
      target: this.#errors.target,
      table: this.tables.base,
    }));
    const { ssl } = this.#options;
    this.#pool = mysql.createPool({
      host: this.#target.host,
      port: this.#target.port,
      user: this.#target.user,
      password: this.#target.password,
      database: this.#target.database,
      connectionLimit: this.#options.poolSize,
      connectTimeout: this.#options.connectTimeoutMs,
      charset: "utf8mb4_bin",
      ssl: ssl === true ? {} : ssl === false || ssl === undefined ? undefined : ssl,
      // A few statement shapes per storage (see ROW_SHAPES); a bound keeps the server's limit far away.
      maxPreparedStatements: 64,
      enableKeepAlive: true,
      // affectedRows then counts an upsert's update as 2 and an unchanged row as 0, never as 1 (an insert).
      flags: ["-FOUND_ROWS"],
    });
    // New connections get the server-side statement limit before their first statement (queued in
    // order). The event hands over mysql2's callback-style connection; a failure shows on the next statement.
    this.#pool.on("connection", (connection) => {
      for (const statement of this.#sessionSetup()) {
        (connection as unknown as CallbackConnection).query(statement, () => {});
      }
    });
  }

  /**
   * A connected adapter: opened before it is returned, so `maxDocumentBytes` (from the server's
   * max_allowed_packet) is known when core wraps it. The registry's `create` uses this.
   */
  static async connect(options: MysqlOptions = {}, logger?: Logger): Promise<MysqlAdapter> {
    const adapter = new MysqlAdapter(options, logger);
    try {
      await adapter.open();
    } catch (error) {
      await adapter.close();
      throw error;
    }
    return adapter;
  }

  /** What the server reported when the adapter opened; null before. */
  get server(): ServerInfo | null {
    return this.#server;
  }

  /**
   * The server's max_allowed_packet minus room for the statement: known once opened (core reads it
   * when it wraps the adapter, so `connect()` first). Before that, writes still check it themselves.
   */
  get maxDocumentBytes(): number | undefined {
    return this.#server ? this.#server.maxAllowedPacket - PACKET_HEADROOM : undefined;
  }

  get maxBatchBytes(): number | undefined {
    return this.maxDocumentBytes;
  }

  /**
   * Connects, reads the server's version and max_allowed_packet, and migrates when autoMigrate is on.
   * A failed open is retried by the next call, so a server that comes up later is picked up.
   */
  open(): Promise<void> {
    if (this.#closed) return Promise.reject(new ClosedError());
    if (this.#server) return Promise.resolve();
    this.#opening ??= this.#open().catch((error: unknown) => {
      this.#opening = null;
      throw toStorageError(error, this.#errors);
    });
    return this.#opening;
  }

  async #open(): Promise<void> {
    const connection = await this.#pool.getConnection();
    try {
      const [[row]] = (await connection.query(this.#statements.maxPacket)) as unknown as [
        [{ packet: number | string; version: string }],
      ];
      const version = String(row?.version ?? "");
      const server: ServerInfo = {
        version,
        flavor: /mariadb/i.test(version) ? "mariadb" : "mysql",
        maxAllowedPacket: Number(row?.packet ?? 4 * 1024 * 1024),
      };
      this.#server = server;
      // The connection that read the version was made before the flavor was known.
      for (const statement of this.#sessionSetup()) await connection.query(statement);
      if (this.#options.autoMigrate) {
        const result = await migrate(connection, this.tables);
        if (result.applied.length > 0)
          this.#logger.info(
            { table: this.tables.base, applied: result.applied },
            "vcon mysql migrations applied",
          );
      } else if ((await schemaVersion(connection, this.tables)) < LATEST_VERSION) {
        throw Object.assign(new Error(`table ${this.tables.base} is missing or not migrated`), {
          errno: 1146,
        });
      }
    } catch (error) {
      this.#server = null;
      throw error;
    } finally {
      connection.release();
    }
  }

  /** Applies pending migrations now (for deployments that run with autoMigrate off). */
  async migrate(): Promise<MigrationResult> {
    return this.#run(async () => {
      const connection = await this.#pool.getConnection();
      try {
        return await migrate(connection, this.tables);
      } finally {
        connection.release();
      }
    }, false);
  }

  async save(vcon: PreparedVcon): Promise<void> {
    await this.#run(() => this.#write([vcon]));
  }

  async saveMany(chunk: readonly PreparedVcon[]): Promise<void> {
    if (chunk.length === 0) return;
    await this.#run(() => this.#write(chunk));
  }

  async get(uuid: string): Promise<VconDocument | null> {
    return this.#run(async () => {
      const [rows] = await this.#pool.execute<DocumentRow[]>(this.#timed(this.#statements.get), [uuid]);
      const row = rows[0];
      return row ? (JSON.parse(row.document) as VconDocument) : null;
    });
  }

  async exists(uuid: string): Promise<boolean> {
    return this.#run(async () => {
      const [rows] = await this.#pool.execute<RowDataPacket[]>(this.#timed(this.#statements.exists), [uuid]);
      return rows.length > 0;
    });
  }

  async delete(uuid: string): Promise<boolean> {
    return this.#run(() =>
      this.#transaction(async (connection) => {
        await connection.execute(this.#timed(this.#statements.deleteKeysOf), [uuid]);
        const [result] = await connection.execute<mysql.ResultSetHeader>(
          this.#timed(this.#statements.deleteDocument),
          [uuid],
        );
        return result.affectedRows > 0;
      }),
    );
  }

  async search(query: NormalizedSearchQuery): Promise<SearchPage> {
    return this.#run(async () => {
      const { sql, params } = searchQuery(this.tables, query);
      const [rows] = await this.#pool.execute<DocumentRow[]>(this.#timed(sql), params);
      return searchPageOf(rows, query.limit, {
        document: (row) => JSON.parse(row.document) as VconDocument,
        position: (row) => ({ createdAt: new Date(Number(row.created_ms)).toISOString(), uuid: row.uuid }),
      });
    });
  }

  /**
   * Every document in (created_at, uuid) order, read in keyset pages inside one REPEATABLE READ
   * transaction started WITH CONSISTENT SNAPSHOT: writes made during the export are not seen, and
   * memory holds one page. An abort while a page is in flight destroys that connection.
   */
  async *export(options: NormalizedExportOptions): AsyncIterable<VconDocument> {
    const connection = await this.#run(() => this.#pool.getConnection());
    let broken = false;
    const onAbort = () => {
      broken = true;
      connection.destroy();
    };
    options.signal.addEventListener("abort", onAbort, { once: true });
    try {
      await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
      await connection.query("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
      let after: Position | null = null;
      for (;;) {
        if (options.signal.aborted) return;
        const { sql, params } = exportPage(
          this.tables,
          { since: options.since, until: options.until, after },
          options.batchSize,
        );
        const [rows] = await connection.execute<DocumentRow[]>(this.#timed(sql), params);
        for (const row of rows) {
          if (options.signal.aborted) return;
          yield JSON.parse(row.document) as VconDocument;
        }
        if (rows.length < options.batchSize) return;
        const last = rows.at(-1)!;
        after = { ms: Number(last.created_ms), uuid: last.uuid };
      }
    } catch (error) {
      if (options.signal.aborted) return;
      throw toStorageError(error, this.#errors);
    } finally {
      options.signal.removeEventListener("abort", onAbort);
      if (!broken) {
        await connection.query("COMMIT").catch(() => {
          broken = true;
          connection.destroy();
        });
        if (!broken) connection.release();
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#opening?.catch(() => {});
    await this.#pool.end().catch(() => {});
  }

  /** Writes documents and their keys in one transaction; rows in uuid order so writers lock alike. */
  async #write(vcons: readonly PreparedVcon[]): Promise<void> {
    const rows = lastOfEachUuid(vcons);
    const budget = this.maxDocumentBytes!;
    const now = Date.now();
    for (const vcon of rows) if (vcon.bytes > budget) throw tooLarge("$", vcon.bytes, budget);
    const keyParams = rows.flatMap((vcon) =>
      searchKeysOf(vcon).map((key) => {
        if (key.value.length > budget)
          throw tooLarge(`$ (search key of ${vcon.uuid})`, key.value.length, budget);
        return [vcon.uuid, key.kind, key.value] as const;
      }),
    );
    await this.#transaction(async (connection) => {
      let inserted = 0;
      for (const group of byBytes(rows, (vcon) => vcon.bytes, budget)) {
        for (const run of inShapes(group)) {
          const params = run.flatMap((v) => [
            v.uuid,
            v.createdAtMs ?? now,
            v.createdAtMs === null ? 0 : 1,
            now,
            v.json,
          ]);
          const [result] = await connection.execute<mysql.ResultSetHeader>(
            this.#timed(this.#statements.upsert(run.length)),
            params,
          );
          inserted += result.affectedRows;
        }
      }
      // One new document (affectedRows 1; an update counts 2) has no keys to clear: keys only ever
      // change with their document, in its transaction. Saves a round trip on every first save.
      const onlyNew = rows.length === 1 && inserted === 1;
      for (const run of onlyNew ? [] : inShapes(rows.map((vcon) => vcon.uuid))) {
        await connection.execute(this.#timed(this.#statements.deleteKeys(run.length)), run);
      }
      for (const group of byBytes(keyParams, (row) => row[2].length, budget)) {
        for (const run of inShapes(group)) {
          await connection.execute(this.#timed(this.#statements.insertKeys(run.length)), run.flat());
        }
      }
    });
  }

  /** Runs `body` in a transaction, again when InnoDB picked it as a deadlock victim. */
  async #transaction<T>(body: (connection: PoolConnection) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const connection = await this.#pool.getConnection();
      let healthy = true;
      try {
        // Sessions run at READ COMMITTED (see #sessionSetup).
        await connection.query("START TRANSACTION");
        const result = await body(connection);
        await connection.query("COMMIT");
        return result;
      } catch (error) {
        await connection.query("ROLLBACK").catch(() => {
          healthy = false;
        });
        if (!isDeadlock(error) || attempt >= DEADLOCK_TRIES) throw error;
        await sleep(Math.random() * 20 * attempt);
      } finally {
        if (healthy) connection.release();
        else connection.destroy();
      }
    }
  }

  /** Opens on first use, refuses calls after close, and maps every failure to a typed error. */
  async #run<T>(body: () => Promise<T>, needsOpen = true): Promise<T> {
    if (this.#closed) throw new ClosedError();
    try {
      if (needsOpen) await this.open();
      return await body();
    } catch (error) {
      if (this.#closed) throw new ClosedError();
      throw toStorageError(error, this.#errors);
    }
  }

  /** The statement with the client-side twin of the server's statement limit. */
  #timed(sql: string): { sql: string; timeout?: number } {
    const limit = this.#options.statementTimeoutMs;
    // A little later than the server's own limit, so the server's clearer error usually wins.
    return limit > 0 ? { sql, timeout: limit + 1000 } : { sql };
  }

  /**
   * What every session runs first. READ COMMITTED: no gap locks, so writers of different uuids never
   * deadlock on the keys table's index, while writers of one uuid still serialise on its document row,
   * which each write locks first (export asks for REPEATABLE READ for its own transaction). The statement
   * limit: MariaDB counts seconds in max_statement_time, MySQL milliseconds in max_execution_time.
   */
  #sessionSetup(): string[] {
    if (this.#server === null) return [];
    const statements = ["SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED"];
    const limit = this.#options.statementTimeoutMs;
    if (limit > 0) {
      statements.push(
        this.#server.flavor === "mariadb"
          ? `SET SESSION max_statement_time = ${limit / 1000}`
          : `SET SESSION max_execution_time = ${limit}`,
      );
    }
    return statements;
  }
}

/** The last vCon of each uuid (what saving them in order leaves), sorted by uuid. */
function lastOfEachUuid(vcons: readonly PreparedVcon[]): PreparedVcon[] {
  const byUuid = new Map<string, PreparedVcon>();
  for (const vcon of vcons) byUuid.set(vcon.uuid, vcon);
  return [...byUuid.values()].sort((a, b) => (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0));
}

/** Consecutive groups of rows whose estimated bytes stay under `budget` (a bigger row goes alone). */
function byBytes<T>(rows: readonly T[], bytesOf: (row: T) => number, budget: number): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const row of rows) {
    const bytes = bytesOf(row) + 64;
    if (current.length > 0 && size + bytes > budget) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(row);
    size += bytes;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

function tooLarge(path: string, bytes: number, budget: number): ValidationError {
  return new ValidationError("vCon too large for this MySQL server", [
    {
      path,
      message: `${bytes} bytes is over ${budget} (the server's max_allowed_packet minus ${PACKET_HEADROOM}): raise max_allowed_packet`,
    },
  ]);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
