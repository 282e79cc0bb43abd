/** What the one-off probes (save-probe.ts, get-probe.ts) share: the server, env lists, the raw side. */
import pg from "pg";
import { RAW_SCHEMA } from "./raw-sql.js";
import { databaseUrl } from "./targets/pg-admin.js";

export const PROBE_SERVER = process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** A comma-separated environment variable, or `fallback` when it is not set. */
export function listFromEnv(name: string, fallback: readonly string[]): string[] {
  const value = process.env[name];
  return value ? value.split(",").map((part) => part.trim()) : [...fallback];
}

export function mean(values: readonly number[]): number {
  return values.reduce((n, v) => n + v, 0) / Math.max(1, values.length);
}

/**
 * The raw side: a pg pool on `database` with the adapter's schema. No idle timeout: a backend that
 * exits takes its CPU count with it, and a new one would start cold.
 */
export async function openRawPool(database: string, poolSize: number): Promise<pg.Pool> {
  const raw = new pg.Pool({
    connectionString: databaseUrl(PROBE_SERVER, database),
    max: poolSize,
    idleTimeoutMillis: 0,
  });
  // The probes drop their databases WITH (FORCE) at the end, and pool.end() resolves before its
  // sockets close: a connection ended then must not crash the probe after it has printed its figures.
  raw.on("error", () => {});
  await raw.query(RAW_SCHEMA);
  return raw;
}
