import { randomBytes } from "node:crypto";
import { type EmbeddedServer, startEmbeddedPostgres, withClient } from "@vcon/test-postgres";
import pg from "pg";

/**
 * A PostgreSQL server one test file alone owns: its own port and data directory, password
 * authentication (scram-sha-256, so a wrong password is really refused), data kept across stop/start.
 */
export interface OwnedServer {
  readonly server: EmbeddedServer;
  readonly password: string;
  /** Server log lines (when the file asked for them). */
  readonly log: string[];
  /** A connection string for `database`, as the superuser or as the given role. */
  url(database?: string, credentials?: { user: string; password: string }): string;
  /** Runs SQL as the superuser on `database` over a short-lived connection. */
  sql(text: string, database?: string): Promise<pg.QueryResult>;
  createDatabase(name: string): Promise<void>;
  dispose(): Promise<void>;
}

export async function startOwnedServer(postgresFlags: string[] = []): Promise<OwnedServer> {
  const password = `pw-${randomBytes(12).toString("hex")}`;
  const log: string[] = [];
  const server = await startEmbeddedPostgres({
    password,
    authMethod: "scram-sha-256",
    postgresFlags,
    onLog: (line) => log.push(line),
  });
  const url = (database = "postgres", credentials = { user: server.user, password }) =>
    `postgres://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${server.port}/${database}`;
  const sql = (text: string, database = "postgres") =>
    withClient(url(database), (client) => client.query(text));
  return {
    server,
    password,
    log,
    url,
    sql,
    createDatabase: async (name) => {
      await sql(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    },
    dispose: () => server.dispose(),
  };
}
