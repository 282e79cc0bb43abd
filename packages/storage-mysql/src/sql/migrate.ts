import { createHash } from "node:crypto";
import { UnavailableError } from "@vcon/storage-core/adapter";
import type { PoolConnection } from "mysql2/promise";
import { LATEST_VERSION, MIGRATIONS, type Tables } from "./schema.js";

/** How long a start waits for another process's migration before giving up. */
const LOCK_WAIT_SECONDS = 60;

/** What a migration run did. */
export interface MigrationResult {
  /** Names of the migrations applied by this call, in order; empty when already up to date. */
  applied: string[];
  /** The schema version after the run. */
  version: number;
}

/** GET_LOCK names are at most 64 characters: a digest of database and table keeps them short and apart. */
function lockName(database: string, table: string): string {
  return `vcon-storage:${createHash("sha256").update(`${database}.${table}`).digest("hex").slice(0, 40)}`;
}

/**
 * Applies pending migrations in version order under GET_LOCK, so processes starting together
 * migrate once: the others wait, then find nothing to do. DDL commits implicitly in MySQL, so each
 * step is written to make a rerun after a crash harmless (IF NOT EXISTS).
 */
export async function migrate(connection: PoolConnection, tables: Tables): Promise<MigrationResult> {
  const [[database]] = (await connection.query("SELECT DATABASE() AS name")) as unknown as [
    [{ name: string }],
  ];
  const lock = lockName(database?.name ?? "", tables.base);
  const [[lockRow]] = (await connection.query("SELECT GET_LOCK(?, ?) AS got", [
    lock,
    LOCK_WAIT_SECONDS,
  ])) as unknown as [[{ got: number | null }]];
  if (lockRow?.got !== 1) {
    throw new UnavailableError(
      `Another process has held the migration lock of \`${tables.base}\` for ${LOCK_WAIT_SECONDS} s: wait for its migration to finish, then start again.`,
    );
  }
  try {
    await connection.query(
      `CREATE TABLE IF NOT EXISTS ${tables.migrations} (
         version INT NOT NULL PRIMARY KEY,
         name VARCHAR(200) NOT NULL,
         applied_ms BIGINT NOT NULL
       ) ENGINE=InnoDB`,
    );
    const [[row]] = (await connection.query(
      `SELECT COALESCE(MAX(version), 0) AS version FROM ${tables.migrations}`,
    )) as unknown as [[{ version: number }]];
    const current = Number(row?.version ?? 0);
    if (current > LATEST_VERSION) {
      throw new UnavailableError(
        `\`${tables.base}\` has schema version ${current}, newer than this @vcon/storage-mysql knows (${LATEST_VERSION}): upgrade the package.`,
        { retryable: false },
      );
    }
    const applied: string[] = [];
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      for (const statement of migration.statements(tables)) await connection.query(statement);
      await connection.query(
        `INSERT INTO ${tables.migrations} (version, name, applied_ms) VALUES (?, ?, ?)`,
        [migration.version, migration.name, Date.now()],
      );
      applied.push(migration.name);
    }
    return { applied, version: Math.max(current, LATEST_VERSION) };
  } finally {
    await connection.query("DO RELEASE_LOCK(?)", [lock]);
  }
}

/** The schema version stored, 0 when the migrations table is missing. */
export async function schemaVersion(connection: PoolConnection, tables: Tables): Promise<number> {
  try {
    const [[row]] = (await connection.query(
      `SELECT COALESCE(MAX(version), 0) AS version FROM ${tables.migrations}`,
    )) as unknown as [[{ version: number }]];
    return Number(row?.version ?? 0);
  } catch (error) {
    if ((error as { errno?: number }).errno === 1146) return 0;
    throw error;
  }
}
