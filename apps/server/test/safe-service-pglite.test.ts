import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeSafeService } from "./safe-service-suite.js";

const dataRoot = mkdtempSync(join(tmpdir(), "vcon-server-safe-pglite-"));

describeSafeService("embedded PostgreSQL (PGlite)", {
  storages: async () => ({
    primary: { adapter: "postgres", options: { embedded: { dataDir: join(dataRoot, "pglite") } } },
  }),
  dispose: async () => rmSync(dataRoot, { recursive: true, force: true }),
});
