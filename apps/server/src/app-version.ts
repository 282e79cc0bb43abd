import { readFileSync } from "node:fs";
import { join } from "node:path";
import { APP_DIR } from "./app-dir.js";

/** This app's version, from its package.json (the CLI's `--version`, the OpenAPI `info.version`). */
export const APP_VERSION: string = (
  JSON.parse(readFileSync(join(APP_DIR, "package.json"), "utf8")) as { version: string }
).version;
