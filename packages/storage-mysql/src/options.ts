import { parseOptionsSync, ValidationError } from "@vcon/storage-core/adapter";
import { z } from "zod";

/** The configuration name: `createStorage({ adapter: "mysql", ... })`. */
export const NAME = "mysql";

const port = z.coerce.number().int().min(1).max(65_535);
const milliseconds = z.number().int().min(0).max(3_600_000);

/** A plain identifier: the side tables append `_keys` and `_migrations`, and MySQL allows 64 characters. */
export const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,51}$/;

/**
 * Options of the `mysql` adapter (MySQL 8, MariaDB 10.11+). Give `url`, or the parts; what is left
 * out comes from MYSQL_URL, MYSQL_HOST, MYSQL_PORT, MYSQL_USER, MYSQL_PASSWORD, MYSQL_DATABASE.
 */
export const mysqlOptions = z
  .object({
    /** `mysql://user:password@host:port/database`. */
    url: z.string().min(1).optional(),
    host: z.string().min(1).optional(),
    port: port.optional(),
    user: z.string().min(1).optional(),
    password: z.string().optional(),
    database: z.string().min(1).max(64).optional(),
    /** `true` (verify the server's certificate), or tls.connect options (ca, cert, key, rejectUnauthorized...). */
    ssl: z.union([z.boolean(), z.record(z.string(), z.unknown())]).optional(),
    /** Most connections the pool opens. */
    poolSize: z.number().int().min(1).max(1000).default(10),
    /** How long opening a connection may take before `UNAVAILABLE`. */
    connectTimeoutMs: milliseconds.min(1).default(5_000),
    /** Limit per statement, on the server (MariaDB max_statement_time, MySQL max_execution_time) and in the client; 0 turns it off. */
    statementTimeoutMs: milliseconds.default(30_000),
    /** The documents table; `<table>_keys` holds search keys and `<table>_migrations` the schema version. */
    table: z
      .string()
      .regex(TABLE_NAME, "expected a plain identifier: letters, digits and _, at most 52")
      .default("vcons"),
    /** Apply pending migrations on start. Turn off for users without DDL rights and run `migrate` instead. */
    autoMigrate: z.boolean().default(true),
  })
  .strict();

export type MysqlOptions = z.input<typeof mysqlOptions>;
export type ResolvedOptions = z.output<typeof mysqlOptions>;

/** Where the adapter connects, after options, URL and environment are merged. */
export interface ConnectionTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/**
 * Precedence, highest first: explicit options, `options.url`, MYSQL_HOST / _PORT / _USER / _PASSWORD /
 * _DATABASE, MYSQL_URL, then localhost:3306, user root, database vcon.
 */
export function resolveTarget(
  options: ResolvedOptions,
  env: NodeJS.ProcessEnv = process.env,
): ConnectionTarget {
  const fromOptionsUrl = options.url ? parseUrl(options.url, "options.url") : {};
  // MYSQL_URL names a whole other server: mixing it into an explicit url could send its password elsewhere.
  const fromEnvUrl = env.MYSQL_URL && !options.url ? parseUrl(env.MYSQL_URL, "MYSQL_URL") : {};
  const pick = <K extends "host" | "user" | "password" | "database">(
    key: K,
    envName: string,
    fallback: string,
  ) => options[key] ?? fromOptionsUrl[key] ?? env[envName] ?? fromEnvUrl[key] ?? fallback;
  return {
    host: pick("host", "MYSQL_HOST", "localhost"),
    port: options.port ?? fromOptionsUrl.port ?? numberOr(env.MYSQL_PORT) ?? fromEnvUrl.port ?? 3306,
    user: pick("user", "MYSQL_USER", "root"),
    password: pick("password", "MYSQL_PASSWORD", ""),
    database: pick("database", "MYSQL_DATABASE", "vcon"),
  };
}

/** `host:port/database`: how errors and logs name a target, never with the password. */
export function describeTarget(target: ConnectionTarget): string {
  return `${target.host}:${target.port}/${target.database}`;
}

function parseUrl(text: string, path: string): Partial<ConnectionTarget> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // The text may hold a password: never echo it.
    throw new ValidationError("Invalid connection URL", [
      { path, message: "expected mysql://user:password@host:port/database" },
    ]);
  }
  if (url.protocol !== "mysql:" && url.protocol !== "mariadb:") {
    throw new ValidationError("Invalid connection URL", [
      { path, message: `expected the mysql:// scheme, got ${url.protocol}//` },
    ]);
  }
  return {
    ...(url.hostname ? { host: decodeURIComponent(url.hostname) } : {}),
    ...(url.port ? { port: Number(url.port) } : {}),
    ...(url.pathname.length > 1 ? { database: decodeURIComponent(url.pathname.slice(1)) } : {}),
    ...(url.username ? { user: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
  };
}

function numberOr(value: string | undefined): number | undefined {
  const parsed = value ? Number(value) : Number.NaN;
  return Number.isInteger(parsed) ? parsed : undefined;
}

/** The password both as given and as it may appear percent-encoded in a URL, for scrubbing. */
export function secretsOf(target: ConnectionTarget): string[] {
  if (!target.password) return [];
  return [...new Set([target.password, encodeURIComponent(target.password)])];
}

/** Parses options, turning schema problems into a `VALIDATION` error that names each field. */
export function parseMysqlOptions(input: unknown): ResolvedOptions {
  return parseOptionsSync({ name: NAME, options: mysqlOptions }, input ?? {});
}
