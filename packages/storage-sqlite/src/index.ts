import { type AdapterDefinition, defineAdapter } from "@vcon/storage-core/adapter";
import { SqliteAdapter } from "./adapter.js";
import { NAME, type ResolvedOptions, sqliteOptions } from "./options.js";

export { SqliteAdapter } from "./adapter.js";
export { toStorageError } from "./errors.js";
export {
  NAME,
  parseSqliteOptions,
  type ResolvedOptions,
  type SqliteOptions,
  sqliteOptions,
} from "./options.js";
export { LATEST_VERSION, MIGRATIONS, type Migration, type Tables, tablesFor } from "./sql/schema.js";

/** Registered as `sqlite`: `createStorage({ adapter: "sqlite", options: { path } })`. */
export const adapter: AdapterDefinition<ResolvedOptions> = defineAdapter({
  name: NAME,
  description: "SQLite on better-sqlite3: one file (WAL, several processes) or :memory:.",
  options: sqliteOptions,
  create: (options) => new SqliteAdapter(options),
  migrate: async (options) => {
    const storage = new SqliteAdapter(options);
    try {
      return await storage.migrate();
    } finally {
      await storage.close();
    }
  },
});

export default adapter;
