import {
  type AdapterDefinition,
  defineAdapter,
  isStorageError,
  type Logger,
} from "@vcon/storage-core/adapter";
import { MysqlAdapter } from "./adapter.js";
import { type MysqlOptions, mysqlOptions, NAME, type ResolvedOptions } from "./options.js";
import type { MigrationResult } from "./sql/migrate.js";

export { MysqlAdapter, type ServerInfo } from "./adapter.js";
export { toStorageError } from "./errors.js";
export {
  type ConnectionTarget,
  describeTarget,
  type MysqlOptions,
  mysqlOptions,
  NAME,
  parseMysqlOptions,
  type ResolvedOptions,
  resolveTarget,
} from "./options.js";
export type { MigrationResult } from "./sql/migrate.js";
export { LATEST_VERSION, MIGRATIONS, type Migration, type Tables, tablesFor } from "./sql/schema.js";

/** Registered as `mysql`: `createStorage({ adapter: "mysql", options: { url } })`. */
export const adapter: AdapterDefinition<ResolvedOptions> = defineAdapter({
  name: NAME,
  description: "MySQL 8 / MariaDB 10.11+ on mysql2: exact document text, search keys in a side table.",
  options: mysqlOptions,
  create: (options, context) => start(options, context.logger),
  migrate: (options, context) => migrate(options, context.logger),
});

export default adapter;

/**
 * What the registry's `create` does: open now, so core learns `maxDocumentBytes` from the server, but
 * start anyway when the server is only unreachable for now (retryable UNAVAILABLE): the adapter opens on
 * a later call, and a server that comes up later is picked up. Refused credentials, a missing database
 * or bad options fail at once.
 */
async function start(options: ResolvedOptions, logger: Logger): Promise<MysqlAdapter> {
  const adapter = new MysqlAdapter(options, logger);
  try {
    await adapter.open();
  } catch (error) {
    if (!isStorageError(error, "UNAVAILABLE") || !error.retryable) {
      await adapter.close();
      throw error;
    }
    logger.warn({ err: error }, "vcon mysql: server not reachable at start; opening on first use");
  }
  return adapter;
}

/** Applies pending migrations for the given connection and table, then disconnects. */
export async function migrate(options: MysqlOptions = {}, logger?: Logger): Promise<MigrationResult> {
  const storage = new MysqlAdapter({ ...options, autoMigrate: false }, logger);
  try {
    return await storage.migrate();
  } finally {
    await storage.close();
  }
}
