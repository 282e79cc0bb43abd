/**
 * `@vcon/storage-core/adapter`: everything an adapter author needs, in one import. The package root is
 * what applications use (storages, the registry, errors, the validator); this subpath adds the
 * contract (`StorageAdapter` and the normalised inputs it receives), the reference semantics for
 * search and order, and the helpers adapters used to copy from each other.
 */

// The contract
export type {
  Capability,
  CapabilityManifest,
  ChangeBacklog,
  ChangeClaim,
  CursorPosition,
  ExportOptions,
  NormalizedExportOptions,
  NormalizedSearchQuery,
  ReadOptions,
  SearchPage,
  SearchQuery,
  StorageAdapter,
  StorageChange,
} from "./adapter.js";
export { CAPABILITIES } from "./adapter.js";
// Chunking, as core applies it before calling saveMany
export { type ChunkRange, DEFAULT_BATCH_BYTES, DEFAULT_BATCH_SIZE } from "./batch.js";
// Errors and their classification
export { type ClassifyOptions, isNetworkError, NETWORK_ERROR_CODES, toStorageError } from "./classify.js";
// Dates: offset-less date-times are UTC
export { parseVconDate, toVconDate, withExplicitUtc } from "./dates.js";
// What save receives
export type { DocumentLimits, PartyKeys, PreparedVcon } from "./document.js";
export {
  DEFAULT_LIMITS,
  decodeJwsPayload,
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
// Objects holding configuration
export { inspectSafely } from "./inspect.js";
// Schema issues in core's one path syntax
export { issuePath, schemaIssues } from "./issues.js";
export type { Logger } from "./logger.js";
export { silentLogger } from "./logger.js";
// Options the registry parsed are not parsed again by the constructor
export { type OptionsParser, optionsParser } from "./options-parser.js";
// Resolving packages from a package's own location
export { importFrom, type ResolveFrom, resolvePackage } from "./package-import.js";
// Reference semantics: filters, order, cursors
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
  normalizeReadOptions,
  normalizeSearchQuery,
} from "./query.js";
// The definition a package exports as `adapter`
export type { AdapterContext, AdapterDefinition, MigrationReport } from "./registry.js";
export { defineAdapter, parseOptions, parseOptionsSync } from "./registry.js";
// Scan adapters (in-memory records): search, order and the created_at rule in one place
export {
  createdAtMsFor,
  type ScanRecord,
  type ScanRecordKeys,
  scanMatches,
  scanSearch,
  toScanRecord,
} from "./scan.js";
// Search keys for SQL side tables compared as bytes: the encoding and the rows, written once
export {
  encodeSearchKey,
  SEARCH_KEY_KINDS,
  type SearchKey,
  type SearchKeyFilter,
  type SearchKeyKind,
  searchKeyFilters,
  searchKeysOf,
} from "./search-keys.js";
// SQL search pages read limit + 1 rows: the page and its cursor, written once
export { type SearchRowReader, searchPageOf } from "./search-page.js";
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
export type * from "./types.js";
export { normalizeUuid, requireUuid } from "./uuid.js";
