import { mkdir, open, rename, rm } from "node:fs/promises";
import pMap from "p-map";
import { fsError } from "../errors.js";

/**
 * Writes `text` to a new temp file `temp` (its folder created when missing), optionally fsyncs it, and
 * returns once it is complete on disk. A failure removes what it wrote. `mtimeMs` sets the file's
 * modification time (how a document without created_at keeps its own).
 */
export async function writeTempFile(
  temp: string,
  folder: string,
  text: string,
  { fsync, mtimeMs }: { fsync: boolean; mtimeMs: number | null },
): Promise<void> {
  try {
    await mkdir(folder, { recursive: true });
  } catch (error) {
    throw fsError(error, "create the folder", folder);
  }
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(temp, "wx");
  } catch (error) {
    throw fsError(error, "create", temp);
  }
  try {
    await handle.writeFile(text, "utf8");
    if (mtimeMs !== null) await handle.utimes(new Date(), new Date(mtimeMs));
    if (fsync) await handle.sync();
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => {});
    await removeTemp(temp);
    throw fsError(error, "write", temp);
  }
}

/** Moves a complete temp file onto `target`: atomic, so readers see the old file or the new one. */
export async function renameOnto(temp: string, target: string): Promise<void> {
  try {
    await rename(temp, target);
  } catch (error) {
    await removeTemp(temp);
    throw fsError(error, "rename a temp file onto", target);
  }
}

export function removeTemp(temp: string): Promise<void> {
  return rm(temp, { force: true });
}

/** fsyncs folders, so the renames into them survive a power cut. */
export async function syncFolders(folders: Iterable<string>, concurrency: number): Promise<void> {
  await pMap(folders, syncFolder, { concurrency });
}

async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw fsError(error, "fsync the folder", folder);
  }
}
