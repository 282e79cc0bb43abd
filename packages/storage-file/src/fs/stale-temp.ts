import { stat, unlink } from "node:fs/promises";
import { fsError, isMissing } from "../errors.js";

/**
 * Deletes a temp file once it is older than `staleTempMs`: a younger one may belong to a live writer.
 * Returns whether it deleted it.
 */
export async function removeIfStale(path: string, staleTempMs: number): Promise<boolean> {
  try {
    if (Date.now() - (await stat(path)).mtimeMs < staleTempMs) return false;
    await unlink(path);
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw fsError(error, "delete the stale temp file", path);
  }
}
