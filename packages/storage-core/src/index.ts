/**
 * `@vcon/storage-core`: what applications use (storages, the registry, errors, the validator, vCon
 * types). Adapter authors import from `@vcon/storage-core/adapter`; the author-only names still
 * exported here (marked deprecated) keep adapters written against 0.1 compiling.
 */
export type {
  Capability,
  /** @deprecated — import from "@vcon/storage-core/adapter" */
  CapabilityManifest,
  ChangeBacklog,
  ChangeClaim,
  /** @deprecated — import from "@vcon/storage-core/adapter" */
  CursorPosition,
  ExportOptions,
  /** @deprecated — import from "@vcon/storage-core/adapter" */
  NormalizedExportOptions,
  /** @deprecated — import from "@vcon/storage-core/adapter" */
  NormalizedSearchQuery,
  ReadOptions,
  SearchPage,
  SearchQuery,
  /** @deprecated — import from "@vcon/storage-core/adapter" */
  StorageAdapter,
  StorageChange,
} from "./adapter.js";
export { CAPABILITIES } from "./adapter.js";
export { type ChunkRange, prepareBatch } from "./batch.js";
export { type ClassifyOptions, isNetworkError, toStorageError } from "./classify.js";
export { parseVconDate } from "./dates.js";
export type { DocumentLimits, PartyKeys, PreparedVcon, VconInput } from "./document.js";
export {
  DEFAULT_LIMITS,
  isPreparedVcon,
  prepareVcon,
  vconContent,
  vconForm,
  vconUuidOf,
} from "./document.js";
export type { ErrorCode, StorageErrorOf, StorageErrorOptions, ValidationIssue } from "./errors.js";
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
export { checkJsonValue } from "./json-safety.js";
export type { Logger, OperationEvent } from "./logger.js";
export { silentLogger } from "./logger.js";
export type { ResolveFrom } from "./package-import.js";
export type {
  /** @deprecated — import from "@vcon/storage-core/adapter" */
  IndexedRecord,
} from "./query.js";
export {
  /** @deprecated — import from "@vcon/storage-core/adapter" */
  compareRecords,
  /** @deprecated — import from "@vcon/storage-core/adapter" */
  cursorOf,
  DEFAULT_EXPORT_BATCH,
  DEFAULT_PAGE_SIZE,
  /** @deprecated — import from "@vcon/storage-core/adapter" */
  decodeCursor,
  /** @deprecated — import from "@vcon/storage-core/adapter" */
  encodeCursor,
  MAX_PAGE_SIZE,
  /** @deprecated — import from "@vcon/storage-core/adapter" */
  matchesQuery,
  /** @deprecated — import from "@vcon/storage-core/adapter" */
  normalizeExportOptions,
  /** @deprecated — import from "@vcon/storage-core/adapter" */
  normalizeSearchQuery,
} from "./query.js";
export type {
  /** @deprecated — import from "@vcon/storage-core/adapter" */
  AdapterContext,
  /** @deprecated — import from "@vcon/storage-core/adapter" */
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
  /** @deprecated — import from "@vcon/storage-core/adapter" */
  defineAdapter,
  /** @deprecated — import from "@vcon/storage-core/adapter" */
  parseOptions,
  /** @deprecated — import from "@vcon/storage-core/adapter" */
  parseOptionsSync,
  registerAdapter,
} from "./registry.js";
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
export { redactUrl, scrubSecrets } from "./secrets.js";
export type {
  SaveManyOptions,
  SaveManyResult,
  SaveResult,
  StorageOptions,
  VconStorage,
} from "./storage.js";
export { BatchError, fromAdapter } from "./storage.js";
export type * from "./types.js";
export { normalizeUuid, requireUuid } from "./uuid.js";
export type { ValidateOptions, VconValidationResult } from "./validate.js";
export { validateVcon } from "./validate.js";
