import { mkdir } from "node:fs/promises";
import type { PGlite, PGliteOptions } from "@electric-sql/pglite";
import {
  ClosedError,
  InternalError,
  isStorageError,
  UnavailableError,
  ValidationError,
} from "@vcon/storage-core/adapter";
import type { Connection, Transaction } from "./connection.js";
import { lockDataDir } from "./folder-lock.js";

const PGLITE = "@electric-sql/pglite";

/**
 * A PGlite instance, recognised by shape: the package is an optional peer, so nothing here may load it
 * (and an `instanceof` would fail across two installed copies anyway).
 */
export function isPglite(value: unknown): value is PGlite {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return ["query", "exec", "transaction", "close"].every((key) => typeof candidate[key] === "function");
}

/** The caller's PGlite: used, never closed. */
export function borrowedPglite(db: PGlite): Connection {
  return pgliteConnection(db, { owned: false, target: "caller's PGlite" });
}

/**
 * PGlite of our own, in memory or in a folder, started by `open()` (which the adapter's open runs). The
 * package is loaded then, so a server deployment never installs or loads a WASM PostgreSQL it does not use.
 */
export function embeddedConnection(dataDir: string | undefined): Connection {
  const target = dataDir ? `PGlite at ${dataDir}` : "PGlite in memory";
  let started: { connection: Connection; release(): Promise<void> } | null = null;
  let closed = false;
  const live = (): Connection => {
    if (started) return started.connection;
    throw closed
      ? new ClosedError(`${target} is closed.`)
      : new InternalError(`${target} is not open yet: call open() first (core does before the first call).`);
  };
  return {
    driver: "pglite",
    owned: true,
    target,
    concurrency: 1,
    secrets: [],
    async open() {
      if (closed) throw new ClosedError(`${target} is closed.`);
      started ??= await startPglite(dataDir, target);
    },
    // async: a call before open() or after close() rejects, never throws where a promise was expected.
    query: async <R>(text: string, values?: unknown[]) => live().query<R>(text, values),
    read: async <R>(text: string, values: unknown[]) => live().query<R>(text, values),
    transaction: async <T>(work: (tx: Transaction) => Promise<T>) => live().transaction(work),
    async close() {
      closed = true;
      const running = started;
      started = null;
      if (!running) return;
      try {
        await running.connection.close();
      } finally {
        await running.release();
      }
    },
  };
}

/** Loads PGlite, opens the database (claiming its folder) and sets UTC; nothing stays open on failure. */
async function startPglite(
  dataDir: string | undefined,
  target: string,
): Promise<{ connection: Connection; release(): Promise<void> }> {
  const { PGlite } = await loadPglite();
  const extensions = await trigramExtension();
  const create = (options: PGliteOptions = {}) => PGlite.create({ ...options, extensions });
  const { db, release } = await openFolder(dataDir, create);
  try {
    await db.exec("SET TimeZone = 'UTC'");
  } catch (error) {
    await db.close().catch(() => {});
    await release();
    throw error;
  }
  return { connection: pgliteConnection(db, { owned: true, target }), release };
}

function pgliteConnection(db: PGlite, about: { owned: boolean; target: string }): Connection {
  return {
    driver: "pglite",
    ...about,
    concurrency: 1,
    secrets: [],
    async query<R>(text: string, values: unknown[] = []) {
      return (await db.query<R>(text, values)).rows;
    },
    async read<R>(text: string, values: unknown[]) {
      return (await db.query<R>(text, values)).rows;
    },
    async transaction<T>(work: (tx: Transaction) => Promise<T>) {
      return db.transaction((tx) =>
        work({
          query: async <R>(text: string, values: unknown[] = []) => (await tx.query<R>(text, values)).rows,
        }),
      );
    },
    async close() {
      if (about.owned && !db.closed) await db.close();
    },
  };
}

/** `import()` of the optional peer, with the fix named when it is not installed. */
async function loadPglite(): Promise<typeof import("@electric-sql/pglite")> {
  try {
    return await import(PGLITE);
  } catch (error) {
    throw new UnavailableError(
      `Embedded mode needs the optional package ${PGLITE}: install it next to @vcon/storage-postgres (npm install ${PGLITE}), or connect to a PostgreSQL server (options.url).`,
      { cause: error, retryable: false },
    );
  }
}

/** pg_trgm serves substring search; PGlite ships it as an extension module of its own. */
async function trigramExtension(): Promise<PGliteOptions["extensions"]> {
  const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
  return { pg_trgm };
}

/**
 * PGlite creates its data folder but not the folders above it, so a fresh checkout's
 * `./.data/pglite` would fail: create them first, claim the folder for this process, and turn a
 * path that cannot hold a database into a typed error instead of PGlite's bare filesystem exception.
 */
async function openFolder(
  dataDir: string | undefined,
  create: (options?: PGliteOptions) => Promise<PGlite>,
): Promise<{ db: PGlite; release(): Promise<void> }> {
  const nothingToRelease = async () => {};
  if (dataDir === undefined) return { db: await create(), release: nothingToRelease };
  // PGlite reads `file://path` as a folder too; other schemes (`memory://`, `idb://`) are not on disk.
  const folder = dataDir.startsWith("file://") ? dataDir.slice("file://".length) : dataDir;
  if (folder.includes("://")) return { db: await create({ dataDir }), release: nothingToRelease };
  let release = nothingToRelease;
  try {
    await mkdir(folder, { recursive: true });
    release = await lockDataDir(folder);
    return { db: await create({ dataDir }), release };
  } catch (error) {
    await release();
    if (isStorageError(error)) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const message = `PGlite cannot open its data directory ${dataDir}`;
    throw code === "ENOTDIR" || code === "EEXIST"
      ? new ValidationError(message, [
          { path: "options.embedded.dataDir", message: `not a usable folder (${code})` },
        ])
      : new UnavailableError(message, { cause: error });
  }
}
