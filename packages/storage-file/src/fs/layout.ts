import { randomBytes } from "node:crypto";
import { basename, join } from "node:path";

/** `<uuid>.json`: a stored vCon. Anything else in the folders is ignored. */
const FILE_PATTERN = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.json$/;
/** `.<uuid>.<pid>.<random>.tmp`: a file being written; invisible to get and scans. */
const TEMP_PATTERN = /^\.[0-9a-f-]{36}\.\d+\.[0-9a-f]+\.tmp$/;
const SHARD_PATTERN = /^[0-9a-f]{2}$/;

/** What a name found in the store is. */
export type EntryKind = "file" | "temp" | "shard" | "other";

/**
 * Where things live: `<directory>/<2 hex>[/<2 hex>...]/<uuid>.json`, one folder level per `shardDepth`,
 * named after the uuid's leading hex digits.
 */
export class StoreLayout {
  constructor(
    readonly directory: string,
    readonly shardDepth: number,
  ) {}

  folderOf(uuid: string): string {
    const hex = uuid.replaceAll("-", "");
    const parts: string[] = [];
    for (let level = 0; level < this.shardDepth; level++) parts.push(hex.slice(level * 2, level * 2 + 2));
    return join(this.directory, ...parts);
  }

  pathOf(uuid: string): string {
    return join(this.folderOf(uuid), `${uuid}.json`);
  }

  /** A temp name no other writer (process or call) can pick. */
  tempPathOf(uuid: string): string {
    return join(this.folderOf(uuid), `.${uuid}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  }

  /** What an entry named `name` at folder depth `depth` (0 = the directory itself) is. */
  kindOf(name: string, depth: number): EntryKind {
    if (depth < this.shardDepth) return SHARD_PATTERN.test(name) ? "shard" : "other";
    if (FILE_PATTERN.test(name)) return "file";
    return TEMP_PATTERN.test(name) ? "temp" : "other";
  }
}

/** The uuid a stored file's name promises, or undefined for a name outside the layout. */
export function uuidInName(path: string): string | undefined {
  return FILE_PATTERN.exec(basename(path))?.[1];
}
