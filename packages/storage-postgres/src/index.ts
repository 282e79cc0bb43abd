import { type AdapterDefinition, defineAdapter, type Logger } from "@vcon/storage-core/adapter";
import { PostgresAdapter } from "./adapter.js";
import { NAME } from "./name.js";
import {
  type PostgresOptions,
  parsePostgresOptions,
  postgresOptions,
  type ResolvedOptions,
} from "./options.js";
import type { MigrationResult } from "./sql/migrations.js";

export { PostgresAdapter } from "./adapter.js";
export type { ConnectionMode } from "./connect/index.js";
export { toStorageError } from "./errors.js";
export { closeAll, get, save } from "./module-api.js";
export { NAME } from "./name.js";
export {
  type PostgresOptions,
  parsePostgresOptions,
  postgresOptions,
  type ResolvedOptions,
  resolveTarget,
} from "./options.js";
export { type TableName, tableName } from "./sql/identifiers.js";
export { loadMigrations, type Migration, type MigrationResult } from "./sql/migrations.js";
export { vcons, vconsTable } from "./sql/schema.js";

/** Registered as `postgres`: `createStorage({ adapter: "postgres", options })`. */
export const adapter: AdapterDefinition<ResolvedOptions> = defineAdapter({
  name: NAME,
  description: "PostgreSQL on Drizzle: a pg pool for servers, PGlite for embedded use.",
  options: postgresOptions,
  // The registry has parsed the options already. Returned unopened: core calls open() (connect and
  // migrate) before the first operation, or when the application calls `storage.open()`.
  create: (options, context) => PostgresAdapter.unopened(options, context.logger),
  migrate: (options, context) => migrateParsed(options, context.logger),
});

export default adapter;

/** Applies pending migrations for the given connection, schema and table, then disconnects. */
export function migrate(options: PostgresOptions = {}, logger?: Logger): Promise<MigrationResult> {
  return migrateParsed(parsePostgresOptions(options), logger);
}

async function migrateParsed(options: ResolvedOptions, logger?: Logger): Promise<MigrationResult> {
  const storage = await PostgresAdapter.openParsed(options, logger);
  try {
    return await storage.migrate();
  } finally {
    await storage.close();
  }
}
