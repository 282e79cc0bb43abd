import { createTestDatabase, type TestDatabase } from "@vcon/test-postgres";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";

export interface ProxiedDatabase {
  /** The fresh database, reached directly. */
  database: TestDatabase;
  /** The same database through a proxy the test can take down. */
  proxy: TcpProxy;
  proxiedUrl: string;
  dispose(): Promise<void>;
}

/**
 * A fresh database on the real PostgreSQL server (POSTGRES_URL, or the embedded one the global setup
 * started), so test files never share tables, plus a proxy in front of it for outage tests.
 */
export async function proxiedDatabase(prefix: string): Promise<ProxiedDatabase> {
  const database = await createTestDatabase(prefix);
  const direct = new URL(database.url);
  const proxy = await startTcpProxy(direct.hostname, Number(direct.port || 5432));
  const proxied = new URL(database.url);
  proxied.hostname = "127.0.0.1";
  proxied.port = String(proxy.port);
  return {
    database,
    proxy,
    proxiedUrl: proxied.toString(),
    async dispose() {
      await proxy.stop();
      await database.drop();
    },
  };
}

/** Short waits, so outage tests answer in well under a second instead of the 5 s default. */
export const FAST_FAILURE = { connectionTimeoutMs: 2000, statementTimeoutMs: 10_000 } as const;
