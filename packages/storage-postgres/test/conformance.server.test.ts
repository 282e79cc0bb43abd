import { describeConformance } from "@vcon/storage-core/conformance";
import { createTestDatabase, sqlRows, type TestDatabase } from "@vcon/test-postgres";
import { PostgresAdapter } from "../src/index.js";
import { REFUSE_WRITES, REFUSED_WRITES_SETUP, RESTORE_WRITES } from "./support/refused-writes.js";

// The server at POSTGRES_URL, or the embedded one the global setup started; a database of our own on it.
let database: TestDatabase;

describeConformance("postgres (server)", {
  setup: async () => {
    database = await createTestDatabase("conformance");
    await (await PostgresAdapter.connect({ url: database.url })).close();
    for (const statement of REFUSED_WRITES_SETUP) await sqlRows(database.url, statement);
  },
  teardown: () => database?.drop(),
  create: () => PostgresAdapter.connect({ url: database.url, autoMigrate: false, poolSize: 4 }),
  failWrites: (uuid) => sqlRows(database.url, REFUSE_WRITES, [uuid]),
  restoreWrites: () => sqlRows(database.url, RESTORE_WRITES),
  // Server connections to this database other than the one asking: close() must end the pool's.
  openResources: async () =>
    Number(
      (
        await sqlRows<{ n: string }>(
          database.url,
          "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
      )[0]!.n,
    ),
});
