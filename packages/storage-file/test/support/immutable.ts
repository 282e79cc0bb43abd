import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Folders the kernel refuses to change (`chattr +i`: no file created, renamed or removed in them, even
 * by root): a real failure inside the file adapter's backend, for the conformance suite's failWrites hook.
 */
export class ImmutableFolders {
  readonly #locked = new Set<string>();

  /** Why immutable folders cannot be made here (not root, no chattr, a filesystem without it), or null. */
  static unsupportedReason(): string | null {
    const probe = mkdtempSync(join(tmpdir(), "vcon-file-chattr-"));
    try {
      const locked = spawnSync("chattr", ["+i", probe], { encoding: "utf8" });
      if (locked.error) return `chattr is not available (${locked.error.message})`;
      if (locked.status !== 0) return `chattr +i failed here: ${locked.stderr.trim()}`;
      let refused = false;
      try {
        writeFileSync(join(probe, "x"), "x");
      } catch {
        refused = true;
      }
      spawnSync("chattr", ["-i", probe]);
      return refused ? null : "chattr +i did not stop a write here";
    } finally {
      rmSync(probe, { recursive: true, force: true });
    }
  }

  /** Makes `folder` (created when missing) refuse every new, replaced or removed file. */
  lock(folder: string): void {
    mkdirSync(folder, { recursive: true });
    this.#run("+i", folder);
    this.#locked.add(folder);
  }

  /** Undoes every lock, so the folders can be written and deleted again. */
  unlockAll(): void {
    for (const folder of this.#locked) this.#run("-i", folder);
    this.#locked.clear();
  }

  #run(flag: "+i" | "-i", folder: string): void {
    const result = spawnSync("chattr", [flag, folder], { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`chattr ${flag} ${folder} failed: ${result.stderr.trim()}`);
  }
}
