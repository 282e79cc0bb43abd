/**
 * The documents of the search and scale curves, and the load that serves both: one table grown to each
 * size in turn (10,000 -> 100,000 -> 1,000,000 loads 1,000,000 documents, not 1,110,000), with a copy of
 * the database kept at each size. The curves measure the copies, so measuring again after a code change
 * loads nothing, and a load that was interrupted continues where the table stands.
 *
 * `node --conditions=@vcon/source --import tsx bench/src/scale-load.ts` loads the copies of
 * BENCH_CURVE_SIZES only; search-curve.ts loads whichever are missing before it measures.
 */
import { fileURLToPath } from "node:url";
import { fromAdapter, type Vcon, type VconStorage } from "@vcon/storage-core";
import { PostgresAdapter } from "@vcon/storage-postgres";
import pg from "pg";
import { makeDoc } from "./documents.js";
import { databaseUrl, onDatabase } from "./targets/pg-admin.js";

export const CURVE_SIZES = (process.env.BENCH_CURVE_SIZES ?? "10000,100000").split(",").map(Number);
export const SEED = Number(process.env.BENCH_SEED ?? 20_251_128);
/** Documents per `saveMany` call; core splits each into transactions of the adapter's maxBatchSize. */
const LOAD_CALL = 20_000;
/**
 * Calls in flight at once: one builds and validates its documents while the server merges the other's,
 * which keeps both cores busy. Each call covers a contiguous range of indexes (so of created_at).
 */
const LOADERS = 2;

/** Every third vCon shares the common values; every vCon has rare values of its own. */
export function curveDoc(index: number): Vcon {
  const { vcon } = makeDoc("2KB", SEED, 3, index);
  const common = index % 3 === 0;
  if (common) {
    vcon.parties!.push({ tel: "+18005550000", mailto: "FrontDesk@Example.com", name: "Front Desk" });
    vcon.subject = `Billing dispute: ${vcon.subject}`;
  }
  vcon.subject = `${vcon.subject} #c${index}x`;
  vcon.dialog!.push({
    type: "text",
    start: vcon.created_at,
    parties: [0],
    encoding: "none",
    body: common
      ? `I want a refund for my last invoice, order ON${index}X.`
      : `My order number is ON${index}X, thanks.`,
  });
  vcon.attachments!.push({
    purpose: "tags",
    encoding: "json",
    body: JSON.stringify([`customer:c${index}`, common ? "queue:billing" : `queue:q${index % 97}`]),
  });
  return vcon;
}

/** The uuid of document `index` (what get looks up), without building the rest of it again. */
export function curveUuid(index: number): string {
  return makeDoc("2KB", SEED, 3, index).uuid;
}

export interface LoadResult {
  /** Documents in the table before this load. */
  from: number;
  loaded: number;
  seconds: number;
}

/**
 * Grows the table to `size` documents (indexes 0..size-1). Each `saveMany` is atomic per chunk, and
 * with two in flight an interrupted load can leave the last chunks of either: it restarts one full
 * round of calls earlier, and saving a stored document again is an update to the same values.
 */
export async function growTo(
  storage: VconStorage,
  raw: pg.Pool,
  size: number,
  log: (line: string) => void = console.log,
): Promise<LoadResult> {
  const stored = await storedCount(raw);
  if (stored >= size) return { from: stored, loaded: 0, seconds: 0 };
  const from = Math.max(0, Math.floor(stored / LOAD_CALL) * LOAD_CALL - (LOADERS - 1) * LOAD_CALL);
  const started = performance.now();
  let next = from;
  let done = 0;
  let reported = performance.now();
  const loader = async () => {
    while (next < size) {
      const start = next;
      const count = Math.min(LOAD_CALL, size - start);
      next += count;
      await storage.saveMany(Array.from({ length: count }, (_, i) => curveDoc(start + i)));
      done += count;
      if (performance.now() - reported > 30_000) {
        reported = performance.now();
        const seconds = (reported - started) / 1000;
        log(
          `  loading: ${(from + done).toLocaleString("en-US")} of ${size.toLocaleString("en-US")} stored, ${(done / seconds).toFixed(0)} docs/s`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: LOADERS }, loader));
  return { from: stored, loaded: size - stored, seconds: (performance.now() - started) / 1000 };
}

export async function storedCount(raw: pg.Pool): Promise<number> {
  const { rows } = await raw.query<{ n: string }>("SELECT count(*) AS n FROM vcons");
  return Number(rows[0]!.n);
}

/**
 * Puts the table's planner statistics back to "never analysed", as right after a first bulk load:
 * the grown table keeps the statistics of the previous size's ANALYZE otherwise. (PostgreSQL before 18
 * has no function for it; a superuser may edit these two catalogs.)
 */
export async function forgetStatistics(raw: pg.Pool): Promise<void> {
  await raw.query("DELETE FROM pg_statistic WHERE starelid = 'vcons'::regclass");
  await raw.query("UPDATE pg_class SET reltuples = -1, relpages = 0 WHERE oid = 'vcons'::regclass");
}

/** The database holding the table at `size` documents, as loaded. */
export function snapshotDatabase(size: number): string {
  return `vcon_bench_curve_${size}`;
}
/** The database being grown; renamed to the largest size's copy when it gets there. */
const GROWING = "vcon_bench_curve_load";

export interface Snapshot {
  size: number;
  database: string;
  url: string;
  /** How the documents got there in this run (nothing when the copy was already there). */
  load: LoadResult & { copySeconds: number };
}

/**
 * Makes sure a copy of the table at each of `sizes` exists (loading what is missing) and returns them
 * in order. BENCH_CURVE_RELOAD=1 drops the copies first.
 */
export async function loadSnapshots(
  serverUrl: string,
  sizes: readonly number[],
  log: (line: string) => void = console.log,
): Promise<Snapshot[]> {
  const ordered = [...new Set(sizes)].sort((a, b) => a - b);
  const existing = new Set(
    await onDatabase(serverUrl, async (c) =>
      (await c.query<{ datname: string }>("SELECT datname FROM pg_database")).rows.map((r) => r.datname),
    ),
  );
  if (process.env.BENCH_CURVE_RELOAD === "1") {
    await dropDatabases(serverUrl, [GROWING, ...ordered.map(snapshotDatabase)]);
    existing.clear();
  }
  const snapshots: Snapshot[] = [];
  for (const [i, size] of ordered.entries()) {
    const database = snapshotDatabase(size);
    const url = databaseUrl(serverUrl, database);
    if (existing.has(database)) {
      snapshots.push({ size, database, url, load: { from: size, loaded: 0, seconds: 0, copySeconds: 0 } });
      continue;
    }
    if (!existing.has(GROWING)) {
      await onDatabase(serverUrl, (c) => c.query(`CREATE DATABASE ${GROWING}`));
      existing.add(GROWING);
    }
    const load = await growDatabase(databaseUrl(serverUrl, GROWING), size, log);
    const copyStart = performance.now();
    const last = i === ordered.length - 1;
    await onDatabase(serverUrl, (c) =>
      // FILE_COPY: a checkpoint and a copy of the files, far faster than WAL-logging every block.
      c.query(
        last
          ? `ALTER DATABASE ${GROWING} RENAME TO ${database}`
          : `CREATE DATABASE ${database} TEMPLATE ${GROWING} STRATEGY FILE_COPY`,
      ),
    );
    if (last) existing.delete(GROWING);
    const copySeconds = (performance.now() - copyStart) / 1000;
    log(
      `${size.toLocaleString("en-US")} documents: ${load.loaded.toLocaleString("en-US")} loaded in ${load.seconds.toFixed(1)} s, copied in ${copySeconds.toFixed(1)} s`,
    );
    snapshots.push({ size, database, url, load: { ...load, copySeconds } });
  }
  return snapshots;
}

async function growDatabase(url: string, size: number, log: (line: string) => void): Promise<LoadResult> {
  // Creates or checks the table (migrations), as an application's first open would.
  // No statement timeout: merging a chunk into a table of a million rows, with 2 shared cores, can
  // take longer than the default 30 s.
  const storage = fromAdapter(await PostgresAdapter.connect({ url, poolSize: 4, statementTimeoutMs: 0 }));
  const raw = new pg.Pool({ connectionString: url, max: 2 });
  try {
    // No autovacuum and no autoanalyze: every copy is as a bulk load leaves the table.
    await raw.query("ALTER TABLE vcons SET (autovacuum_enabled = false)");
    const stored = await storedCount(raw);
    if (stored > size) throw new Error(`${GROWING} holds ${stored} documents, more than ${size}: drop it`);
    return await growTo(storage, raw, size, log);
  } finally {
    await storage.close();
    await raw.end();
  }
}

export async function dropDatabases(serverUrl: string, names: readonly string[]): Promise<void> {
  await onDatabase(serverUrl, async (c) => {
    for (const name of names) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const serverUrl = process.env.POSTGRES_URL;
  if (!serverUrl) throw new Error("POSTGRES_URL must name the server to load");
  loadSnapshots(serverUrl, CURVE_SIZES).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
