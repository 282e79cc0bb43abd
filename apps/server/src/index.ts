export type { LoadConfigOptions, LoadedConfig } from "./config/load.js";
export { CONFIG_FILE_NAMES, configFrom, defaultConfigInput, loadConfig } from "./config/load.js";
export { printableConfig, printConfig } from "./config/print.js";
export type { AppConfig, AppConfigInput, ServerSettings, StorageEntry } from "./config/schema.js";
export {
  appConfigSchema,
  DEFAULT_BODY_LIMIT,
  DEFAULT_DATA_DIR,
  DEFAULT_HOST,
  DEFAULT_MAX_BATCH,
  DEFAULT_PORT,
} from "./config/schema.js";
export type { BuildServerOptions, VconServer } from "./http/server.js";
export { buildServer } from "./http/server.js";
export { renameFailure } from "./storages/failure.js";
export type { StorageOutcome } from "./storages/outcome.js";
export { StorageFailure } from "./storages/outcome.js";
export { appRegistry } from "./storages/registry.js";
export type { DeleteReport, ReadHit, StorageHealth, WriteReport } from "./storages/storage-set.js";
export { StorageSet } from "./storages/storage-set.js";
