import type { Dir } from "node:fs";
import { opendir } from "node:fs/promises";
import { join } from "node:path";
import { isStorageError } from "@vcon/storage-core/adapter";
import { fsError, isMissing } from "../errors.js";
import type { StoreLayout } from "./layout.js";

export interface StoreEntry {
  kind: "file" | "temp";
  path: string;
}

/**
 * Every stored file and temp file under the layout's directory, depth first. Folders are iterated a
 * few entries at a time (never listed whole), so a folder of millions of files costs little memory.
 * Names outside the layout are skipped.
 */
export async function* walkStore(
  layout: StoreLayout,
  folder = layout.directory,
  depth = 0,
): AsyncGenerator<StoreEntry> {
  let dir: Dir;
  try {
    dir = await opendir(folder, { bufferSize: 64 });
  } catch (error) {
    if (isMissing(error)) return;
    throw fsError(error, "list", folder);
  }
  try {
    for await (const entry of dir) {
      const path = join(folder, entry.name);
      const kind = layout.kindOf(entry.name, depth);
      if (kind === "shard" && entry.isDirectory()) yield* walkStore(layout, path, depth + 1);
      else if (kind === "file" || kind === "temp") yield { kind, path };
    }
  } catch (error) {
    throw isStorageError(error) ? error : fsError(error, "list", folder);
  } finally {
    // A `for await` over a Dir closes it when the loop ends early; this covers errors thrown before.
    await dir.close().catch(() => {});
  }
}
