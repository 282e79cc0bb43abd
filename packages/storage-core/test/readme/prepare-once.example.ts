// test/readme/prepare-once.example.ts
import { isStorageError, type PreparedVcon, prepareVcon, type VconStorage } from "@vcon/storage-core";

/** One POST written to several storages: checked and serialised once, then handed to each as it is. */
export async function saveEverywhere(storages: readonly VconStorage[], body: string) {
  let prepared: PreparedVcon;
  try {
    prepared = prepareVcon(body);
  } catch (error) {
    if (isStorageError(error, "VALIDATION")) return { status: 400, issues: error.issues };
    throw error;
  }
  const outcomes = await Promise.allSettled(storages.map((storage) => storage.save(prepared)));
  const failed = storages.filter((_, i) => outcomes[i]!.status === "rejected").map((s) => s.name);
  return { status: failed.length === 0 ? 201 : 502, uuid: prepared.uuid, failed };
}
