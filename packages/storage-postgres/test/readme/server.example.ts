// test/readme/server.example.ts
import { fromAdapter } from "@vcon/storage-core";
import { PostgresAdapter } from "@vcon/storage-postgres";

/** A PostgreSQL server; anything left out comes from POSTGRES_* variables, then the seed's defaults. */
export async function openServerStorage(url: string) {
  const adapter = await PostgresAdapter.connect({
    url, // or host, port, database, user, password as in vcon-server
    poolSize: 10,
    connectionTimeoutMs: 5_000,
    statementTimeoutMs: 30_000,
    applicationName: "vcon-ingest",
    autoMigrate: true, // off in production roles without DDL rights: run `vcon-storage-postgres migrate`
  });
  return fromAdapter(adapter, { name: "primary" });
}
