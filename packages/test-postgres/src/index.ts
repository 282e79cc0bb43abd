import { randomBytes } from "node:crypto";
import { withClient } from "./client.js";
import { type EmbeddedServer, startEmbeddedPostgres } from "./embedded.js";

export { sqlRows, withClient } from "./client.js";
export {
  type EmbeddedPostgresOptions,
  type EmbeddedServer,
  freePort,
  loadEmbeddedPostgres,
  startEmbeddedPostgres,
} from "./embedded.js";
export { type ReplicaPair, replicaPairSupport, startReplicaPair } from "./replica-pair.js";

let shared: Promise<EmbeddedServer> | undefined;

/**
 * The PostgreSQL tests use: `POSTGRES_URL` when set (CI sets it to the machine's server), otherwise one
 * embedded server started on first use and shared by the whole process.
 */
export async function getPostgresUrl(): Promise<string> {
  const fromEnv = process.env.POSTGRES_URL;
  if (fromEnv) return fromEnv;
  if (!shared) {
    shared = startEmbeddedPostgres();
    const server = await shared;
    process.once("exit", () => void server.stop());
    process.env.POSTGRES_URL = server.url;
  }
  return (await shared).url;
}

export interface TestDatabase {
  /** Connection URL of the new database. */
  url: string;
  name: string;
  /** Drops the database, ending any connection still open to it. */
  drop(): Promise<void>;
}

/** Creates a uniquely named database, so test files running in parallel never share tables. */
export async function createTestDatabase(prefix = "vcon_test"): Promise<TestDatabase> {
  const serverUrl = await getPostgresUrl();
  const name = `${prefix.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}_${randomBytes(6).toString("hex")}`;
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      await withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
