import { readFile, stat, unlink, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { UnavailableError } from "@vcon/storage-core/adapter";

/** The file in a PGlite data directory that names the process using it. */
export const LOCK_FILE = "vcon-storage.lock";

/** Lock files this process holds or is claiming: a lock naming our pid but absent here is from an earlier process. */
const heldHere = new Set<string>();

/**
 * Claims a PGlite data directory for this process. PGlite has no lock of its own: a second
 * instance on the same folder silently misses the first one's writes, or crashes. The lock file
 * holds the owner's pid; a lock whose process is gone (a crash), or that names this process's pid
 * without being held here (a container restarted with the same pid), is taken over.
 * Returns the function that releases the claim.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const path = resolve(dataDir, LOCK_FILE);
  if (heldHere.has(path)) throw inUse(dataDir, "this process");
  // Claimed before the first await, so two opens racing in this process cannot both get it.
  heldHere.add(path);
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await writeFile(path, `${process.pid}\n`, { flag: "wx" });
        return async () => {
          if (heldHere.delete(path)) await unlink(path).catch(() => {});
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const owner = await ownerOf(path);
      // Our own pid here is an earlier process's (nothing in this one holds the folder).
      if (owner === undefined ? await isFresh(path) : owner !== process.pid && isRunning(owner)) {
        throw inUse(dataDir, owner ? `process ${owner}` : "another process");
      }
      await unlink(path).catch(() => {}); // left by a process that is gone
    }
    throw new UnavailableError(
      `PGlite data directory ${dataDir} was claimed by another process at the same time`,
    );
  } catch (error) {
    heldHere.delete(path);
    throw error;
  }
}

function inUse(dataDir: string, holder: string): UnavailableError {
  return new UnavailableError(
    `PGlite data directory ${dataDir} is in use by ${holder}: PGlite serves one process at a time; ` +
      "close the other storage, or share the data through a PostgreSQL server",
  );
}

async function ownerOf(path: string): Promise<number | undefined> {
  const text = await readFile(path, "utf8").catch(() => "");
  const pid = Number.parseInt(text, 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** A lock file without a pid is being written right now, unless it is old (its writer died first). */
async function isFresh(path: string): Promise<boolean> {
  const stats = await stat(path).catch(() => undefined);
  return stats !== undefined && Date.now() - stats.mtimeMs < 10_000;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
