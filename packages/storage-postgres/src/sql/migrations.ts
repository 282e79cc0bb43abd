import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { changeLogNames } from "../changes/names.js";
import type { Connection, Transaction } from "../connect/index.js";
import { quote, type TableName } from "./identifiers.js";

/** drizzle-kit writes its migrations here; the package ships the folder. */
const MIGRATIONS_DIR = fileURLToPath(new URL("../../drizzle", import.meta.url));

export interface Migration {
  tag: string;
  hash: string;
  statements: string[];
}

export interface MigrationResult {
  /** Tags applied by this call, in order; empty when the schema was up to date. */
  applied: string[];
}

/** The generated migrations, rewritten for `target` (schema/table names, IF NOT EXISTS). */
export async function loadMigrations(target: TableName): Promise<Migration[]> {
  // Drizzle reads, splits and hashes the files; the journal also names them (our journal table keeps tags).
  const files = readMigrationFiles({ migrationsFolder: MIGRATIONS_DIR });
  const { entries } = JSON.parse(readFileSync(`${MIGRATIONS_DIR}/meta/_journal.json`, "utf8")) as {
    entries: { tag: string }[];
  };
  return files.map((file, i) => ({
    tag: entries[i]!.tag,
    hash: file.hash,
    statements: file.sql
      .map((statement) => retarget(statement.trim(), target))
      .filter((statement) => statement.length > 0),
  }));
}

/**
 * Generated SQL names `"vcons"`, `"vcons_changes"` and `"vcons_change_claim"` in the default schema, and names derived from the
 * table's (`"vcons_uuid_idx"`; hand-written parts name functions `"public"."vcons_..."`). Point them at
 * the configured table, in one pass so a table named `vcons_...` is not rewritten twice, and make every
 * CREATE idempotent so a table that vcon-server's Python module created is adopted, never replaced.
 */
export function retarget(statement: string, target: TableName): string {
  const schema = quote(target.schema);
  const { table: changeLog, claim } = changeLogNames(target);
  return statement
    .replace(
      /("public"\.)?"vcons(_changes"|_change_claim"|"|_)/g,
      (_match, qualified: string | undefined, rest: string) => {
        if (rest === '"') return target.qualified;
        if (rest === '_changes"') return changeLog;
        if (rest === '_change_claim"') return claim;
        return qualified ? `${schema}."${target.table}_` : `"${target.table}_`;
      },
    )
    .replace(/^DROP INDEX (?!IF EXISTS)"/, `DROP INDEX IF EXISTS ${schema}."`)
    .replace(/^CREATE TABLE (?!IF NOT EXISTS)/, "CREATE TABLE IF NOT EXISTS ")
    .replace(/^CREATE (UNIQUE )?INDEX (?!IF NOT EXISTS)/, "CREATE $1INDEX IF NOT EXISTS ")
    .replace(/ADD COLUMN (?!IF NOT EXISTS)/g, "ADD COLUMN IF NOT EXISTS ");
}

/**
 * The lock migrations run under, for this transaction: other schema changes to the same table (the
 * change log's triggers) take it too, so they never interleave with a migration or each other.
 */
export async function lockSchemaChanges(query: Transaction["query"], target: TableName): Promise<void> {
  await query("SELECT pg_advisory_xact_lock(hashtext($1))", [
    `vcon-storage:${target.schema}.${target.table}`,
  ]);
}

/**
 * Applies pending migrations in one transaction (all or none), under an advisory lock so that several
 * processes starting at once apply each migration exactly once. Needs DDL rights.
 */
export async function applyMigrations(connection: Connection, target: TableName): Promise<MigrationResult> {
  const migrations = await loadMigrations(target);
  const journal = `${quote(target.schema)}.${quote(`${target.table}_migrations`)}`;
  const applied: string[] = [];
  await connection.transaction(async ({ query }) => {
    await lockSchemaChanges(query, target);
    await query(`CREATE SCHEMA IF NOT EXISTS ${quote(target.schema)}`);
    await query(
      `CREATE TABLE IF NOT EXISTS ${journal} (tag text PRIMARY KEY, hash text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Set((await query<{ tag: string }>(`SELECT tag FROM ${journal}`)).map((row) => row.tag));
    for (const migration of migrations) {
      if (done.has(migration.tag)) continue;
      for (const statement of migration.statements) await query(statement);
      await query(`INSERT INTO ${journal} (tag, hash) VALUES ($1, $2)`, [migration.tag, migration.hash]);
      applied.push(migration.tag);
    }
  });
  return { applied };
}
