import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { AppConfig } from "../config/schema.js";

/**
 * Creates the parent folder of every embedded PostgreSQL data folder. PGlite creates its own folder
 * but not the ones above it, so a fresh checkout's `./.data/pglite` would fail to open.
 */
export async function ensureDataDirs(config: AppConfig, cwd = process.cwd()): Promise<void> {
  for (const entry of Object.values(config.storages)) {
    if (entry.adapter !== "postgres") continue;
    const embedded = entry.options.embedded;
    const dataDir =
      typeof embedded === "object" && embedded !== null
        ? (embedded as { dataDir?: unknown }).dataDir
        : undefined;
    if (typeof dataDir === "string" && dataDir.length > 0 && !dataDir.includes("://")) {
      await mkdir(dirname(resolve(cwd, dataDir)), { recursive: true });
    }
  }
}
