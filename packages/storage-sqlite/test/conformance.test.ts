import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeConformance } from "@vcon/storage-core/conformance";
import { SqliteAdapter } from "../src/index.js";

const folder = mkdtempSync(join(tmpdir(), "vcon-sqlite-conformance-"));
let files = 0;

// A file per storage (WAL, a second connection for export): the mode deployments use.
describeConformance("sqlite (file)", {
  create: () => new SqliteAdapter({ path: join(folder, `db${files++}.sqlite`) }),
  teardown: () => rmSync(folder, { recursive: true, force: true }),
});

describeConformance("sqlite (:memory:)", {
  create: () => new SqliteAdapter({ path: ":memory:" }),
});
