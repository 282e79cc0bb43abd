// test/readme/production.example.ts
import { fromAdapter } from "@vcon/storage-core";
import { MysqlAdapter, migrate } from "@vcon/storage-mysql";

/** Migrate once with a user that may CREATE, then serve with one that may only read and write rows. */
export async function productionSetup(ownerUrl: string, appUrl: string) {
  const { applied } = await migrate({ url: ownerUrl }); // under GET_LOCK: safe from several processes
  const adapter = await MysqlAdapter.connect({
    url: appUrl, // or host, port, user, password, database; MYSQL_* fill what is left out
    autoMigrate: false,
    poolSize: 10,
    connectTimeoutMs: 5_000,
    statementTimeoutMs: 30_000,
    // ssl: { ca: readFileSync("ca.pem", "utf8") },
  });
  const storage = fromAdapter(adapter, { name: "primary" });
  const limit = adapter.maxDocumentBytes; // from the server's max_allowed_packet
  await storage.close();
  return { applied, limit };
}
