import { PGlite } from "@electric-sql/pglite";
import { describeConformance } from "@vcon/storage-core/conformance";
import { PostgresAdapter } from "../src/index.js";

// One PGlite for the file (it takes seconds to start); each test gets an adapter borrowing it.
let pglite: PGlite;

describeConformance("postgres (PGlite, embedded)", {
  setup: async () => {
    pglite = await PGlite.create();
    await (await PostgresAdapter.connect({ pglite })).close();
  },
  teardown: () => pglite?.close(),
  create: () => PostgresAdapter.connect({ pglite, autoMigrate: false }),
});
