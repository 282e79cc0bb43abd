import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { describeConformance } from "@vcon/storage-core/conformance";
import { PostgresAdapter } from "../src/index.js";
import { REFUSE_WRITES, REFUSED_WRITES_SETUP, RESTORE_WRITES } from "./support/refused-writes.js";

// One PGlite for the file (it takes seconds to start); each test gets an adapter borrowing it.
let pglite: PGlite;

describeConformance("postgres (PGlite, embedded)", {
  setup: async () => {
    pglite = await PGlite.create({ extensions: { pg_trgm } });
    await (await PostgresAdapter.connect({ pglite })).close();
    for (const statement of REFUSED_WRITES_SETUP) await pglite.query(statement);
  },
  teardown: () => pglite?.close(),
  create: () => PostgresAdapter.connect({ pglite, autoMigrate: false }),
  failWrites: (uuid) => pglite.query(REFUSE_WRITES, [uuid]),
  restoreWrites: () => pglite.query(RESTORE_WRITES),
});
