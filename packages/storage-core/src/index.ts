export type {
  Capability,
  CapabilityManifest,
  CursorPosition,
  ExportOptions,
  NormalizedExportOptions,
  NormalizedSearchQuery,
  SearchPage,
  SearchQuery,
  StorageAdapter,
} from "./adapter.js";
export { CAPABILITIES } from "./adapter.js";
export type { DocumentLimits, PartyKeys, PreparedVcon, VconInput } from "./document.js";
export {
  checkJsonValue,
  DEFAULT_LIMITS,
  prepareVcon,
  vconContent,
  vconForm,
  vconUuidOf,
} from "./document.js";
export type { ErrorCode, StorageErrorOptions, ValidationIssue } from "./errors.js";
export {
  ClosedError,
  ConflictError,
  ErrorCodes,
  InternalError,
  isStorageError,
  NotSupportedError,
  StorageError,
  UnavailableError,
  ValidationError,
} from "./errors.js";
export type { Logger, OperationEvent } from "./logger.js";
export { silentLogger } from "./logger.js";
export type { IndexedRecord } from "./query.js";
export {
  compareRecords,
  cursorOf,
  DEFAULT_EXPORT_BATCH,
  DEFAULT_PAGE_SIZE,
  decodeCursor,
  encodeCursor,
  MAX_PAGE_SIZE,
  matchesQuery,
  normalizeExportOptions,
  normalizeSearchQuery,
} from "./query.js";
export type {
  AdapterContext,
  AdapterDefinition,
  MigrationReport,
  RegistryOptions,
  StorageConfig,
} from "./registry.js";
export {
  AdapterRegistry,
  BUILTIN_ADAPTERS,
  createStorage,
  defaultRegistry,
  defineAdapter,
  parseOptions,
  parseOptionsSync,
  registerAdapter,
} from "./registry.js";
export { redactUrl, scrubSecrets } from "./secrets.js";
export {
  MIN_TEXT_FILTER_LENGTH,
  matchesTags,
  matchesText,
  searchTextOf,
  tagsOf,
  tagTerms,
  vconSearchText,
  vconTags,
} from "./search-text.js";
export type {
  ChunkRange,
  SaveManyOptions,
  SaveManyResult,
  SaveResult,
  StorageOptions,
  VconStorage,
} from "./storage.js";
export { BatchError, fromAdapter, isNetworkError } from "./storage.js";
export type * from "./types.js";
export { normalizeUuid, requireUuid } from "./uuid.js";
export type { ValidateOptions, VconValidationResult } from "./validate.js";
export { validateVcon } from "./validate.js";
