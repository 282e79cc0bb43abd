import { link, rename, unlink } from "node:fs/promises";
import { codeOf, fsError, isMissing } from "../errors.js";
import { removeTemp, renameOnto } from "./atomic-write.js";

/** One file of a chunk: its complete temp file, where it goes, and a free name for a backup of what is there. */
export interface ChunkMove {
  temp: string;
  target: string;
  /** A temp-pattern name (so a crash leaves nothing a scan would read, and stale cleanup removes it). */
  backup: string;
}

/** Filesystems without hard links: renames there cannot be undone, as before this module existed. */
const NO_HARD_LINKS = new Set(["ENOTSUP", "EOPNOTSUPP", "EPERM", "EXDEV"]);

/**
 * Renames every temp file of a chunk onto its target. Before each rename the file it replaces is kept
 * under a hard link, so when a rename fails the earlier ones are undone (old files put back, new ones
 * removed) and the chunk is left as it was. On success the backups are removed. Only a crash in the
 * middle can leave part of a chunk (each file whole).
 */
export async function commitChunk(moves: readonly ChunkMove[]): Promise<void> {
  const done: Array<{ target: string; backup: string | null }> = [];
  for (let i = 0; i < moves.length; i++) {
    const move = moves[i]!;
    try {
      const backup = await keepBackup(move.target, move.backup);
      try {
        await renameOnto(move.temp, move.target);
      } catch (error) {
        if (backup) await removeTemp(backup);
        throw error;
      }
      done.push({ target: move.target, backup });
    } catch (error) {
      await Promise.all(moves.slice(i).map((m) => removeTemp(m.temp)));
      await undo(done);
      throw error;
    }
  }
  await Promise.all(done.map(({ backup }) => (backup ? removeTemp(backup) : undefined)));
}

/** Hard-links the current file at `target` to `backup`; null when there is none (or no hard links). */
async function keepBackup(target: string, backup: string): Promise<string | null> {
  try {
    await link(target, backup);
    return backup;
  } catch (error) {
    if (isMissing(error) || NO_HARD_LINKS.has(codeOf(error) ?? "")) return null;
    throw fsError(error, "keep a backup of", target);
  }
}

/** Puts the replaced files back, newest first (a uuid given twice in a chunk unwinds in order). */
async function undo(done: ReadonlyArray<{ target: string; backup: string | null }>): Promise<void> {
  for (const { target, backup } of [...done].reverse()) {
    try {
      if (backup) await rename(backup, target);
      else await unlink(target);
    } catch {
      // Best effort: the original error is what the caller needs; a leftover backup is a temp file.
    }
  }
}
