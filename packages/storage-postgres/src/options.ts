import type { PGlite } from "@electric-sql/pglite";
import { parseOptionsSync, ValidationError } from "@vcon/storage-core/adapter";
import pg from "pg";
import { z } from "zod";
import { isPglite } from "./connect/pglite.js";
import { NAME } from "./name.js";
import { DEFAULT_WRITES_IN_FLIGHT } from "./sql/group-writer.js";

const port = z.coerce.number().int().min(1).max(65_535);
const milliseconds = z.number().int().min(0).max(3_600_000);

/**
 * Options of the `postgres` adapter. The seed's names (`database`, `user`, `password`, `host`, `port`)
 * work as in vcon-server; `url` is a connection string; `embedded` runs PGlite with no server at all.
 */
export const postgresOptions = z
  .object({
    /** The seed's storage name identifier; accepted for compatibility, unused. */
    name: z.string().optional(),
    url: z.string().min(1).optional(),
    host: z.string().min(1).optional(),
    port: port.optional(),
    database: z.string().min(1).optional(),
    user: z.string().min(1).optional(),
    password: z.string().optional(),
    /** `true`, or tls.connect options (ca, cert, key, rejectUnauthorized...), passed to pg as `ssl`. */
    ssl: z.union([z.boolean(), z.record(z.string(), z.unknown())]).optional(),
    sslmode: z.enum(["disable", "prefer", "require", "verify-ca", "verify-full"]).optional(),
    applicationName: z.string().max(63).default("vcon-storage"),
    /** Most connections the pool opens. */
    poolSize: z.number().int().min(1).max(1000).default(10),
    /**
     * Most single-save statements running at once (at most `poolSize`): saves arriving while this many
     * run queue and go together as the next multi-row upsert, one commit for all (group commit).
     */
    maxWritesInFlight: z.number().int().min(1).max(1000).default(DEFAULT_WRITES_IN_FLIGHT),
    /**
     * get and exists run pipelined (pg's pipeline mode) on 2 clients checked out of the pool while
     * reads are in flight, instead of one pool connection per read; off: every read takes its own.
     */
    pipelineReads: z.boolean().default(true),
    idleTimeoutMs: milliseconds.default(10_000),
    /** How long to wait for a connection, new or from the pool, before `UNAVAILABLE`. */
    connectionTimeoutMs: milliseconds.default(5_000),
    /** Limit per statement, on the server (`statement_timeout`) and in the client (`query_timeout`); 0 turns it off. */
    statementTimeoutMs: milliseconds.default(30_000),
    /** PGlite in this process: `true` (in memory) or `{ dataDir }` (persisted to a folder). */
    embedded: z
      .union([z.literal(true), z.object({ dataDir: z.string().min(1).optional() }).strict()])
      .optional(),
    /** Bring your own connection: a pg.Pool, a PGlite, or a Drizzle database on either. Not closed by close(). */
    pool: z.custom<pg.Pool>((value) => value instanceof pg.Pool, "expected a pg.Pool").optional(),
    pglite: z.custom<PGlite>(isPglite, "expected a PGlite instance").optional(),
    db: z
      .custom<{ $client: unknown }>(
        (value) => typeof value === "object" && value !== null && "$client" in value,
        "expected a Drizzle database (node-postgres or pglite)",
      )
      .optional(),
    schema: z.string().default("public"),
    table: z.string().default("vcons"),
    /** Apply pending migrations on start. Turn off for roles without DDL rights and run `migrate` instead. */
    autoMigrate: z.boolean().default(true),
    /**
     * Read replicas (hot standbys) by URL: get, exists, search and export go to a healthy one, round
     * robin; writes and migrations to the primary. Parts a URL leaves out (user, password, database) are
     * the primary's. When absent: POSTGRES_REPLICA_URLS (comma-separated), if the primary is not set by
     * `url` or `host` either. See the README's "Read replicas".
     */
    replicas: z.array(z.string().min(1)).max(32).optional(),
    /** A replica further behind the primary than this is skipped until it catches up. */
    maxReplicaLagMs: milliseconds.default(5_000),
    /** How often replica health and lag are checked (on reads; no timers run). */
    replicaCheckMs: z.number().int().min(50).max(600_000).default(1_000),
  })
  .strict();

export type PostgresOptions = z.input<typeof postgresOptions>;
export type ResolvedOptions = z.output<typeof postgresOptions>;

/** Where a server-mode adapter connects, after options, URL and environment are merged. */
export interface ConnectionTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  /** Parameters of the URL that pg understands (sslmode, ...), kept as given. */
  params: URLSearchParams;
}

/**
 * Precedence, highest first: explicit options, `options.url`, POSTGRES_HOST / _PORT / _DB / _USER /
 * _PASSWORD, POSTGRES_URL, then the seed's defaults (localhost:5432, database vcon_db, user postgres).
 */
export function resolveTarget(
  options: ResolvedOptions,
  env: NodeJS.ProcessEnv = process.env,
): ConnectionTarget {
  const fromOptionsUrl = options.url ? parseUrl(options.url) : {};
  // POSTGRES_URL names a whole other target: mixing it into an explicit url would send its password
  // (or user, or database) to a host it was never meant for.
  const fromEnvUrl = env.POSTGRES_URL && !options.url ? parseUrl(env.POSTGRES_URL) : {};
  const pick = <K extends "host" | "database" | "user" | "password">(
    key: K,
    envName: string,
    fallback: string,
  ) => options[key] ?? fromOptionsUrl[key] ?? env[envName] ?? fromEnvUrl[key] ?? fallback;
  return {
    host: pick("host", "POSTGRES_HOST", "localhost"),
    port: options.port ?? fromOptionsUrl.port ?? numberOr(env.POSTGRES_PORT) ?? fromEnvUrl.port ?? 5432,
    database: pick("database", "POSTGRES_DB", "vcon_db"),
    user: pick("user", "POSTGRES_USER", "postgres"),
    password: pick("password", "POSTGRES_PASSWORD", ""),
    params: fromOptionsUrl.params ?? fromEnvUrl.params ?? new URLSearchParams(),
  };
}

/** The pg.Pool configuration for a target, with TLS, timeouts and application_name applied. */
export function poolConfig(options: ResolvedOptions, target: ConnectionTarget): pg.PoolConfig {
  const sslmode = options.sslmode ?? (target.params.get("sslmode") as ResolvedOptions["sslmode"] | null);
  return {
    host: target.host,
    port: target.port,
    database: target.database,
    user: target.user,
    password: target.password,
    max: options.poolSize,
    idleTimeoutMillis: options.idleTimeoutMs,
    connectionTimeoutMillis: options.connectionTimeoutMs,
    // query_timeout is the client-side twin: a server that stops answering cannot hang a call.
    ...(options.statementTimeoutMs > 0
      ? { statement_timeout: options.statementTimeoutMs, query_timeout: options.statementTimeoutMs }
      : {}),
    application_name: options.applicationName,
    // Cursors carry created_at in UTC; a naive Python-made timestamp column is read as UTC too.
    options: "-c TimeZone=UTC",
    ssl: sslConfig(options.ssl, sslmode ?? undefined),
  };
}

function sslConfig(ssl: ResolvedOptions["ssl"], sslmode: ResolvedOptions["sslmode"]): pg.PoolConfig["ssl"] {
  if (sslmode === "disable") return false;
  const base = typeof ssl === "object" ? ssl : {};
  // libpq's meanings: require encrypts without checking the certificate; verify-* check it.
  if (sslmode === "require" || sslmode === "prefer") return { rejectUnauthorized: false, ...base };
  if (sslmode === "verify-ca" || sslmode === "verify-full") return { ...base, rejectUnauthorized: true };
  return ssl === true ? {} : ssl === false || ssl === undefined ? undefined : base;
}

/** `host:port/database`: how errors and logs name a target, never with the password. */
export function describeTarget(target: ConnectionTarget): string {
  return `${target.host}:${target.port}/${target.database}`;
}

/** The parts of a connection URL; a malformed one is a VALIDATION at `path`, never echoing the text. */
export function parseUrl(text: string, path = "options.url"): Partial<ConnectionTarget> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // The text may hold a password: never echo it.
    throw new ValidationError("Invalid connection URL", [
      { path, message: "expected postgres://user:password@host:port/database" },
    ]);
  }
  return {
    ...(url.hostname ? { host: decodeURIComponent(url.hostname) } : {}),
    ...(url.port ? { port: Number(url.port) } : {}),
    ...(url.pathname.length > 1 ? { database: decodeURIComponent(url.pathname.slice(1)) } : {}),
    ...(url.username ? { user: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    params: url.searchParams,
  };
}

function numberOr(value: string | undefined): number | undefined {
  const parsed = value ? Number(value) : Number.NaN;
  return Number.isInteger(parsed) ? parsed : undefined;
}

/** Parses options, turning schema problems into a `VALIDATION` error that names each field. */
export function parsePostgresOptions(input: unknown): ResolvedOptions {
  return parseOptionsSync({ name: NAME, options: postgresOptions }, input ?? {});
}
