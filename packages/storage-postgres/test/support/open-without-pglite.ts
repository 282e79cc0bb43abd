// Run with test/support/without-pglite.mjs: loads the package, then asks for embedded mode.
import { isStorageError } from "@vcon/storage-core";
import { PostgresAdapter, parsePostgresOptions } from "../../src/index.js";

const report: Record<string, unknown> = {};
// Server options parse (and the package loaded) without PGlite installed.
report.serverOptions = parsePostgresOptions({ url: "postgres://u@db.invalid/x" }).url !== undefined;
try {
  await PostgresAdapter.connect({ embedded: true });
  report.embedded = "opened";
} catch (error) {
  report.embedded = isStorageError(error)
    ? { code: error.code, retryable: error.retryable, message: error.message }
    : String(error);
}
process.stdout.write(JSON.stringify(report));
