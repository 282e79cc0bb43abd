import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { AdapterRegistry, defineAdapter, type PreparedVcon, ValidationError } from "@vcon/storage-core";
import { MemoryAdapter } from "@vcon/storage-memory";
import { z } from "zod";
import { APP_DIR } from "../src/app-dir.js";

/** A fresh folder for a journal (and file replicas). */
export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `vcon-replication-${label}-`));
}

/**
 * uuid -> the exact text of its file, for every `<uuid>.json` under a file storage's folder, read behind
 * its back while it may still be writing.
 */
export function archivedTexts(directory: string): Map<string, string> {
  const texts = new Map<string, string>();
  for (const path of readdirSync(directory, { recursive: true }) as string[]) {
    const uuid = /([0-9a-f-]{36})\.json$/.exec(path)?.[1];
    if (!uuid) continue;
    try {
      texts.set(uuid, readFileSync(join(directory, path), "utf8"));
    } catch (error) {
      // Deleted (or replaced by a rename) since the listing: not there any more, as the next look sees.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  return texts;
}

/** Polls `check` until it returns true, at most `timeoutMs`; the last failure explains a timeout. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/**
 * A real in-memory adapter that refuses documents over `maxBytes` with VALIDATION, as a backend
 * with a size limit does: the permanent refusal the dead-letter list is for.
 */
class SizeLimitedAdapter extends MemoryAdapter {
  readonly #maxBytes: number;

  constructor(maxBytes: number) {
    super();
    this.#maxBytes = maxBytes;
  }

  override async save(vcon: PreparedVcon) {
    this.#check(vcon);
    return super.save(vcon);
  }

  override async saveMany(vcons: readonly PreparedVcon[]) {
    for (const vcon of vcons) this.#check(vcon);
    return super.saveMany(vcons);
  }

  #check(vcon: PreparedVcon): void {
    if (vcon.bytes > this.#maxBytes) {
      throw new ValidationError("vCon too large for this storage", [
        { path: "$", message: `${vcon.bytes} bytes is over this storage's limit of ${this.#maxBytes}` },
      ]);
    }
  }
}

export const sizeLimited = defineAdapter({
  name: "size-limited",
  options: z.object({ maxBytes: z.number().int().min(1) }).strict(),
  create: (options: { maxBytes: number }) => new SizeLimitedAdapter(options.maxBytes),
});

/** The app's registry plus the size-limited adapter. */
export function registryWithSizeLimit(): AdapterRegistry {
  return new AdapterRegistry({ resolveFrom: APP_DIR }).register(sizeLimited);
}
