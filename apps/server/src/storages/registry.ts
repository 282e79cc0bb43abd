import { AdapterRegistry } from "@vcon/storage-core";
import { APP_DIR } from "../app-dir.js";

/** A registry that resolves adapter names from this app's dependencies, wherever the process runs. */
export function appRegistry(): AdapterRegistry {
  return new AdapterRegistry({ resolveFrom: APP_DIR });
}
