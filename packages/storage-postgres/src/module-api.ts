import { createHash } from "node:crypto";
import { fromAdapter, type VconDocument, type VconInput, type VconStorage } from "@vcon/storage-core";
import { connectAdapter } from "./adapter.js";
import {
  type PostgresOptions,
  parsePostgresOptions,
  type ResolvedOptions,
  resolveTarget,
} from "./options.js";

/**
 * The seed's module-level API: `save(vcon, options)` and `get(uuid, options)`, each backed by one cached
 * storage (and pool) per distinct connection target. `closeAll()` ends them.
 */
const cache = new Map<string, Promise<VconStorage>>();
/**
 * The storage for an options object already seen: the seed's callers pass the same object on every call,
 * which then costs one lookup instead of parsing, resolving the target and hashing the password again.
 * Keyed by the object itself, so no secret sits in a key; an object is read on its first call only (change
 * options by passing a new object). Replaced (not cleared) by closeAll.
 */
let byObject = new WeakMap<object, Promise<VconStorage>>();

export async function save(vcon: VconInput, options: PostgresOptions = {}): Promise<void> {
  await (await storageFor(options)).save(vcon);
}

export async function get(uuid: string, options: PostgresOptions = {}): Promise<VconDocument | null> {
  return (await storageFor(options)).get(uuid);
}

/** Closes every storage the module-level functions opened. */
export async function closeAll(): Promise<void> {
  const open = [...cache.values()];
  cache.clear();
  byObject = new WeakMap();
  await Promise.allSettled(open.map(async (storage) => (await storage).close()));
}

function storageFor(input: PostgresOptions): Promise<VconStorage> {
  const seen = byObject.get(input);
  if (seen) return seen;
  const options = parsePostgresOptions(input);
  const key = cacheKey(options);
  let storage = cache.get(key);
  if (!storage) {
    storage = connectAdapter(options).then((adapter) => fromAdapter(adapter));
    // A failed connect is not cached: the next call tries again.
    const failed = storage;
    storage.catch(() => {
      if (cache.get(key) === failed) cache.delete(key);
      if (byObject.get(input) === failed) byObject.delete(input);
    });
    cache.set(key, storage);
  }
  byObject.set(input, storage);
  return storage;
}

/** One entry per target; the password is hashed so it never sits in a key in clear. */
function cacheKey(options: ResolvedOptions): string {
  if (options.pool || options.pglite || options.db) {
    throw new TypeError(
      "the module-level API opens its own connections: pass connection options, not a pool",
    );
  }
  const { password, params, ...target } = resolveTarget(options);
  const embedded = options.embedded === true ? ":memory:" : options.embedded?.dataDir;
  return JSON.stringify({
    target: embedded ? { embedded } : target,
    secret: createHash("sha256").update(password).digest("hex"),
    params: params.toString(),
    schema: options.schema,
    table: options.table,
  });
}
