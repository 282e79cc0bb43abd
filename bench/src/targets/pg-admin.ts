import { withClient } from "@vcon/test-postgres";
import pg from "pg";

/** A URL for another database on the same server. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Drops (if there) and creates each database, so every run starts empty. */
export async function recreateDatabases(serverUrl: string, names: readonly string[]): Promise<void> {
  await withClient(serverUrl, async (client) => {
    for (const name of names) {
      await client.query(`drop database if exists ${name} with (force)`);
      await client.query(`create database ${name}`);
    }
  });
}

/** Runs statements on one database with a short-lived connection. */
export const onDatabase = withClient;

/** Empties every table of the current schema (the adapter's tables, whatever they are named), but not its migration log. */
export async function truncateAll(client: {
  query: (sql: string) => Promise<{ rows: unknown[] }>;
}): Promise<void> {
  const { rows } = await client.query(
    "select quote_ident(schemaname) || '.' || quote_ident(tablename) as name from pg_tables where schemaname = current_schema() and tablename not like '%migration%'",
  );
  const names = (rows as Array<{ name: string }>).map((r) => r.name);
  if (names.length > 0) await client.query(`truncate ${names.join(", ")}`);
}

/**
 * Records the SQL node-postgres sends while `body` runs, by wrapping `Client.prototype.query`. The
 * adapter and bench share one `pg` module, so this sees the adapter's real statements and parameters.
 */
export async function recordQueries(
  body: () => Promise<unknown>,
): Promise<Array<{ name?: string; text: string; values: unknown[] }>> {
  const seen: Array<{ name?: string; text: string; values: unknown[] }> = [];
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const [first, second] = args;
    if (typeof first === "string") seen.push({ text: first, values: Array.isArray(second) ? second : [] });
    else if (first && typeof first === "object" && "text" in first) {
      const config = first as { name?: string; text: string; values?: unknown[] };
      seen.push({
        ...(config.name ? { name: config.name } : {}),
        text: config.text,
        values: config.values ?? (Array.isArray(second) ? second : []),
      });
    }
    return original.apply(this, args);
  };
  try {
    await body();
  } finally {
    proto.query = original;
  }
  return seen;
}
