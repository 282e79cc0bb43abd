export type { StorageTarget } from "./config/describe.js";
export { configurationLine, describeConfig, describeTarget } from "./config/describe.js";
export type { ConfigOrigin, LoadConfigOptions, LoadedConfig } from "./config/load.js";
export {
  CONFIG_FILE_NAMES,
  configFrom,
  defaultConfigInput,
  environmentConfigInput,
  hasPostgresEnvironment,
  loadConfig,
  POSTGRES_ENV_NAMES,
} from "./config/load.js";
export { printableConfig, printConfig } from "./config/print.js";
export type {
  ApiKeyConfig,
  ApiScope,
  AppConfig,
  AppConfigInput,
  AuthConfig,
  ServerSettings,
  StorageEntry,
} from "./config/schema.js";
export {
  API_SCOPES,
  appConfigSchema,
  DEFAULT_BODY_LIMIT,
  DEFAULT_DATA_DIR,
  DEFAULT_HOST,
  DEFAULT_MAX_BATCH,
  DEFAULT_PORT,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
} from "./config/schema.js";
export type { ApiKeyIdentity, RouteAuth } from "./http/auth.js";
export { API_KEY_HEADERS, ApiKeys, isLoopback } from "./http/auth.js";
export { ServiceMetrics } from "./http/metrics.js";
export type { BuildServerOptions, VconServer } from "./http/server.js";
export { buildServer } from "./http/server.js";
export { renameFailure } from "./storages/failure.js";
export type { StorageOutcome } from "./storages/outcome.js";
export { StorageFailure } from "./storages/outcome.js";
export { appRegistry } from "./storages/registry.js";
export type { DeleteReport, ReadHit, StorageHealth, WriteReport } from "./storages/storage-set.js";
export { StorageSet } from "./storages/storage-set.js";
export type { ValidationLevel, ValidationReport } from "./validation/calibrated.js";
export { validateDocument } from "./validation/calibrated.js";
