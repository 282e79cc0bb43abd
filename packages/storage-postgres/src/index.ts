import { type AdapterDefinition, defineAdapter, type Logger } from "@vcon/storage-core";
import { PostgresAdapter } from "./adapter.js";
import type { MigrationResult } from "./migrate.js";
import { type PostgresOptions, postgresOptions, type ResolvedOptions } from "./options.js";

export { type ConnectionMode, PostgresAdapter } from "./adapter.js";
export { toStorageError } from "./errors.js";
export { type TableName, tableName } from "./identifiers.js";
export { loadMigrations, type Migration, type MigrationResult } from "./migrate.js";
export { closeAll, get, save } from "./module-api.js";
export {
  type PostgresOptions,
  parsePostgresOptions,
  postgresOptions,
  type ResolvedOptions,
  resolveTarget,
} from "./options.js";
export { vcons, vconsTable } from "./schema.js";

/** Registered as `postgres`: `createStorage({ adapter: "postgres", options })`. */
export const adapter: AdapterDefinition<ResolvedOptions> = defineAdapter({
  name: "postgres",
  description: "PostgreSQL on Drizzle: a pg pool for servers, PGlite for embedded use.",
  options: postgresOptions,
  create: (options, context) => PostgresAdapter.connect(options, context.logger),
  migrate: (options, context) => migrate(options, context.logger),
});

export default adapter;

/** Applies pending migrations for the given connection, schema and table, then disconnects. */
export async function migrate(options: PostgresOptions = {}, logger?: Logger): Promise<MigrationResult> {
  const storage = await PostgresAdapter.open(options, logger);
  try {
    return await storage.migrate();
  } finally {
    await storage.close();
  }
}
