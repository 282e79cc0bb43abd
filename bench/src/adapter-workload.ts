import { AdapterRegistry, type StorageConfig, type VconStorage } from "@vcon/storage-core";
import type { BenchDoc } from "./documents.js";
import type { TimeRange, Workload } from "./workload.js";

// Resolves adapter packages from bench's own dependencies, whatever the working directory is.
const registry = new AdapterRegistry({ resolveFrom: new URL("..", import.meta.url).pathname });

/** Opens a storage by configuration name, the way applications do. */
export function openStorage(config: StorageConfig): Promise<VconStorage> {
  return registry.create(config);
}

/** The adapter side of a target: every operation goes through the public `VconStorage` API. */
export function storageWorkload(storage: VconStorage, clear: () => Promise<void>): Workload {
  return {
    async save(doc: BenchDoc) {
      await storage.save(doc.vcon);
    },
    get: (uuid) => storage.get(uuid),
    async saveBatch(docs) {
      await storage.saveMany(docs.map((d) => d.vcon));
    },
    searchTel: storage.supports("search")
      ? async (tel) => (await storage.search({ tel, limit: 100 })).items.length
      : undefined,
    exportRange: storage.supports("export")
      ? async (range: TimeRange) => {
          let count = 0;
          for await (const _ of storage.export({ since: range.since, until: range.until })) count++;
          return count;
        }
      : undefined,
    clear,
    close: () => storage.close(),
  };
}

/** Empties a storage through its own API (for backends with no cheaper way from outside). */
export async function deleteEverything(storage: VconStorage): Promise<void> {
  const uuids: string[] = [];
  for await (const doc of storage.export()) uuids.push((doc as { uuid: string }).uuid);
  for (const uuid of uuids) await storage.delete(uuid);
}
