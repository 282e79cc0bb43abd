import { describeConformance } from "@vcon/storage-core/conformance";
import { createTestDatabase, type TestDatabase } from "@vcon/test-postgres";
import { PostgresAdapter } from "../src/index.js";
import { searchSteps } from "../src/sql/search.js";

// The suite's tables are small: with the usual step sizes every search is answered by the probe. Here
// the probe reads 2 rows and gathering stops at 3 ids, so the suite's searches also go through the
// gathering step and the ordered walk, and each must answer as core's reference does.
searchSteps.probeRows = 2;
searchSteps.gatherLimit = 3;

let database: TestDatabase;

describeConformance("postgres (server, every search step)", {
  setup: async () => {
    database = await createTestDatabase("conformance_steps");
    await (await PostgresAdapter.connect({ url: database.url })).close();
  },
  teardown: () => database?.drop(),
  create: () => PostgresAdapter.connect({ url: database.url, autoMigrate: false, poolSize: 4 }),
});
