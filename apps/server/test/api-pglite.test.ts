import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BODY_LIMIT, describeHttpApi, MAX_BATCH } from "./api-suite.js";
import { startServer } from "./helpers.js";

const dataRoot = mkdtempSync(join(tmpdir(), "vcon-server-pglite-"));

// The embedded default's storage (postgres on PGlite, persisted to a folder), with small limits.
describeHttpApi("embedded PostgreSQL (PGlite)", {
  start: () =>
    startServer({
      server: { bodyLimit: BODY_LIMIT, maxBatch: MAX_BATCH },
      storages: {
        primary: { adapter: "postgres", options: { embedded: { dataDir: join(dataRoot, "pglite") } } },
      },
    }),
  async outage(running) {
    // PGlite lives in this process: closing it is its outage.
    await running.server.storages.byName("primary")!.close();
    return "CLOSED";
  },
  async dispose() {
    rmSync(dataRoot, { recursive: true, force: true });
  },
});
