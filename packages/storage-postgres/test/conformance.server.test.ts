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
});
