// PLACEHOLDER: the suite is being written (see issue 2). The signature below is the public API.
import type { StorageAdapter } from "../adapter.js";
import type { VconStorage } from "../storage.js";

export interface ConformanceOptions {
  /** A fresh storage (or a bare adapter, which the suite wraps) for one test. */
  create: () => VconStorage | StorageAdapter | Promise<VconStorage | StorageAdapter>;
  /** Runs once before the suite (start a server, create a database). */
  setup?: () => unknown | Promise<unknown>;
  /** Runs once after the suite. */
  teardown?: () => unknown | Promise<unknown>;
  /** Tests to skip, by name, each with the reason the report prints. */
  skip?: Record<string, string>;
  /** Size of the large-document test in bytes (default 4 MiB). */
  largeDocumentBytes?: number;
}

export function describeConformance(_label: string, _options: ConformanceOptions): void {
  throw new Error("not implemented yet");
}
