import { describeConformance } from "@vcon/storage-core/conformance";
import { createTestDatabase, type TestDatabase } from "@vcon/test-postgres";
import { PostgresAdapter } from "../src/index.js";

// The server at POSTGRES_URL, or the embedded one the global setup started; a database of our own on it.
let database: TestDatabase;

describeConformance("postgres (server)", {
  setup: async () => {
    database = await createTestDatabase("conformance");
    await (await PostgresAdapter.connect({ url: database.url })).close();
  },
  teardown: () => database?.drop(),
  create: () => PostgresAdapter.connect({ url: database.url, autoMigrate: false, poolSize: 4 }),
});
