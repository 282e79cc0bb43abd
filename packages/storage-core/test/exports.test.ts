/**
 * Nothing is removed: every name the root exported in 0.1 is still exported there (types are checked by
 * the compiler below), and the author entry point has every author-facing name of the root, the same
 * objects, so code can move its imports one name at a time.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import * as authorModule from "../src/adapter-kit.js";
import type * as Root01 from "../src/index.js";
import * as rootModule from "../src/index.js";

const root: Record<string, unknown> = { ...rootModule };
const author: Record<string, unknown> = { ...authorModule };

/** The runtime names of `@vcon/storage-core` 0.1 (git 7446ab5, packages/storage-core/src/index.ts). */
const ROOT_0_1 = [
  "CAPABILITIES",
  "checkJsonValue",
  "DEFAULT_LIMITS",
  "prepareVcon",
  "vconForm",
  "vconUuidOf",
  "ClosedError",
  "ConflictError",
  "ErrorCodes",
  "InternalError",
  "isStorageError",
  "NotSupportedError",
  "StorageError",
  "UnavailableError",
  "ValidationError",
  "silentLogger",
  "compareRecords",
  "cursorOf",
  "DEFAULT_EXPORT_BATCH",
  "DEFAULT_PAGE_SIZE",
  "decodeCursor",
  "encodeCursor",
  "MAX_PAGE_SIZE",
  "matchesQuery",
  "normalizeExportOptions",
  "normalizeSearchQuery",
  "AdapterRegistry",
  "BUILTIN_ADAPTERS",
  "createStorage",
  "defaultRegistry",
  "defineAdapter",
  "parseOptions",
  "parseOptionsSync",
  "registerAdapter",
  "redactUrl",
  "scrubSecrets",
  "BatchError",
  "fromAdapter",
  "isNetworkError",
  "normalizeUuid",
  "requireUuid",
  "validateVcon",
] as const;

/** Author-only names that moved to `@vcon/storage-core/adapter` (deprecated, still exported, at the root). */
const MOVED = [
  "compareRecords",
  "cursorOf",
  "decodeCursor",
  "encodeCursor",
  "matchesQuery",
  "normalizeExportOptions",
  "normalizeSearchQuery",
  "defineAdapter",
  "parseOptions",
  "parseOptionsSync",
] as const;

describe("exports", () => {
  it("the root still exports every runtime name of 0.1", () => {
    const missing = ROOT_0_1.filter((name) => !(name in root));
    expect(missing).toStrictEqual([]);
  });

  it("the author entry point exports the moved names as the very same objects", () => {
    for (const name of MOVED) expect(author[name], name).toBe(root[name]);
    for (const name of [
      "StorageError",
      "ValidationError",
      "isStorageError",
      "prepareVcon",
      "CAPABILITIES",
    ] as const)
      expect(author[name], name).toBe(root[name]);
  });

  it("the root still exports every type name of 0.1", () => {
    // Each line fails to compile if the type is no longer exported from the root.
    expectTypeOf<Root01.Capability>().not.toBeNever();
    expectTypeOf<Root01.CapabilityManifest>().not.toBeNever();
    expectTypeOf<Root01.CursorPosition>().not.toBeNever();
    expectTypeOf<Root01.ExportOptions>().not.toBeNever();
    expectTypeOf<Root01.NormalizedExportOptions>().not.toBeNever();
    expectTypeOf<Root01.NormalizedSearchQuery>().not.toBeNever();
    expectTypeOf<Root01.SearchPage>().not.toBeNever();
    expectTypeOf<Root01.SearchQuery>().not.toBeNever();
    expectTypeOf<Root01.StorageAdapter>().not.toBeNever();
    expectTypeOf<Root01.DocumentLimits>().not.toBeNever();
    expectTypeOf<Root01.PartyKeys>().not.toBeNever();
    expectTypeOf<Root01.PreparedVcon>().not.toBeNever();
    expectTypeOf<Root01.VconInput>().not.toBeNever();
    expectTypeOf<Root01.ErrorCode>().not.toBeNever();
    expectTypeOf<Root01.StorageErrorOptions>().not.toBeNever();
    expectTypeOf<Root01.ValidationIssue>().not.toBeNever();
    expectTypeOf<Root01.Logger>().not.toBeNever();
    expectTypeOf<Root01.OperationEvent>().not.toBeNever();
    expectTypeOf<Root01.IndexedRecord>().not.toBeNever();
    expectTypeOf<Root01.AdapterContext>().not.toBeNever();
    expectTypeOf<Root01.AdapterDefinition>().not.toBeNever();
    expectTypeOf<Root01.MigrationReport>().not.toBeNever();
    expectTypeOf<Root01.RegistryOptions>().not.toBeNever();
    expectTypeOf<Root01.StorageConfig>().not.toBeNever();
    expectTypeOf<Root01.ChunkRange>().not.toBeNever();
    expectTypeOf<Root01.SaveManyOptions>().not.toBeNever();
    expectTypeOf<Root01.SaveManyResult>().not.toBeNever();
    expectTypeOf<Root01.SaveResult>().not.toBeNever();
    expectTypeOf<Root01.StorageOptions>().not.toBeNever();
    expectTypeOf<Root01.VconStorage>().not.toBeNever();
    expectTypeOf<Root01.ValidateOptions>().not.toBeNever();
    expectTypeOf<Root01.VconValidationResult>().not.toBeNever();
  });
});
