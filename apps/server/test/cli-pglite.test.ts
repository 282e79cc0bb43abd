import { join } from "node:path";
import { describeCli } from "./cli-suite.js";

describeCli("embedded PostgreSQL (PGlite)", {
  options: async (dir) => `      embedded:\n        dataDir: ${join(dir, "pglite")}\n`,
  env: {},
});
