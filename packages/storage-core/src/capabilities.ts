import { CAPABILITIES, type Capability, type StorageAdapter } from "./adapter.js";
import { InternalError } from "./errors.js";

/** The methods each capability stands for: search features are filters of `search`. */
const CAPABILITY_METHODS: Readonly<Record<Capability, readonly (keyof StorageAdapter)[]>> = {
  delete: ["delete"],
  exists: ["exists"],
  saveMany: ["saveMany"],
  search: ["search"],
  export: ["export"],
  searchText: ["search"],
  searchTags: ["search"],
  changes: ["recordChanges", "readChanges", "acknowledgeChanges", "pendingChanges"],
  claimChanges: ["claimChanges"],
};

/** Capabilities that refine another one, which must be declared too. */
const BUILDS_ON: Partial<Record<Capability, Capability>> = {
  searchText: "search",
  searchTags: "search",
  claimChanges: "changes",
};

/**
 * Every capability as true or false, from what the adapter declares. Declaring one without its
 * methods (or a search feature without `search`) is refused up front, not on the first call.
 */
export function readManifest(driver: StorageAdapter): Record<Capability, boolean> {
  const manifest = {} as Record<Capability, boolean>;
  for (const capability of CAPABILITIES) {
    const declared = driver.capabilities?.[capability] === true;
    if (declared) {
      const missing = CAPABILITY_METHODS[capability].find((method) => typeof driver[method] !== "function");
      const base = BUILDS_ON[capability];
      const lacking = missing ?? (base && driver.capabilities?.[base] !== true ? base : undefined);
      if (lacking) {
        throw new InternalError(
          `Adapter "${driver.name}" declares ${capability} but does not implement ${lacking}.`,
        );
      }
    }
    manifest[capability] = declared;
  }
  return manifest;
}
