import { CAPABILITIES, type Capability, type StorageAdapter } from "./adapter.js";
import { InternalError } from "./errors.js";

/** The method each capability stands for: search features are filters of `search`. */
const CAPABILITY_METHOD: Readonly<Record<Capability, Capability & keyof StorageAdapter>> = {
  delete: "delete",
  exists: "exists",
  saveMany: "saveMany",
  search: "search",
  export: "export",
  searchText: "search",
  searchTags: "search",
};

/**
 * Every capability as true or false, from what the adapter declares. Declaring one without its method
 * (or a search feature without `search`) is refused up front, not on the first call.
 */
export function readManifest(driver: StorageAdapter): Record<Capability, boolean> {
  const manifest = {} as Record<Capability, boolean>;
  for (const capability of CAPABILITIES) {
    const declared = driver.capabilities?.[capability] === true;
    const method = CAPABILITY_METHOD[capability];
    if (declared && (typeof driver[method] !== "function" || driver.capabilities?.[method] !== true)) {
      throw new InternalError(
        `Adapter "${driver.name}" declares ${capability} but does not implement ${method}.`,
      );
    }
    manifest[capability] = declared;
  }
  return manifest;
}
