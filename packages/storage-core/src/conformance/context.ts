/** The glue every group uses: opening storages, reading capabilities, skipping with a stated reason. */
import { it, onTestFinished, type TestContext } from "vitest";
import { CAPABILITIES, type Capability, type StorageAdapter } from "../adapter.js";
import { fromAdapter, type VconStorage } from "../storage.js";

export interface ConformanceOptions {
  /** A fresh storage (or a bare adapter, which the suite wraps) for one test. */
  create: () => VconStorage | StorageAdapter | Promise<VconStorage | StorageAdapter>;
  /** Runs once before the suite (start a server, create a database). */
  setup?: () => unknown | Promise<unknown>;
  /** Runs once after the suite. */
  teardown?: () => unknown | Promise<unknown>;
  /**
   * Tests to skip, each with the reason the report prints. Keys are a test's title
   * ("get of a missing uuid resolves to null") or its group and title ("basics > get of a missing ...").
   * A key that names no test is an error, so a renamed test cannot silently stay skipped.
   */
  skip?: Record<string, string>;
  /** Size of the large-document test in bytes (default 4 MiB). */
  largeDocumentBytes?: number;
  /** Runs of each property-based test (default 50). */
  propertyRuns?: number;
  /** Timeout of each test in milliseconds (default 30 000). */
  testTimeoutMs?: number;
  /** Timeout of `setup` and `teardown` in milliseconds (default 120 000). */
  hookTimeoutMs?: number;
}

export interface TestEnvironment {
  /** Opens a storage from the factory; it is closed after the test. */
  open(): Promise<VconStorage>;
  /**
   * Opens the bare adapter when the factory returns one (closed after the test), for checks that must
   * bypass core's facade. Skips the test, with the reason, when the factory returns a VconStorage.
   */
  openAdapter(): Promise<StorageAdapter>;
  options: ResolvedOptions;
}

export type ResolvedOptions = Required<Omit<ConformanceOptions, "setup" | "teardown">> &
  Pick<ConformanceOptions, "setup" | "teardown">;

interface Probe {
  capabilities: Record<Capability, boolean>;
  bareAdapter: boolean;
}

export interface TestSpec {
  /** Runs only when the adapter declares this capability (skipped with the reason otherwise). */
  requires?: Capability | Capability[];
  /** Runs only when the adapter does NOT declare it (the NOT_SUPPORTED checks). */
  requiresMissing?: Capability;
  timeoutMs?: number;
}

/** One suite run: the options, the capability probe, and the registry of test names for `skip`. */
export class SuiteContext {
  readonly options: ResolvedOptions;
  readonly #titles = new Set<string>();
  #probe: Promise<Probe> | null = null;

  constructor(options: ConformanceOptions) {
    this.options = {
      skip: {},
      largeDocumentBytes: 4 * 1024 * 1024,
      propertyRuns: 50,
      testTimeoutMs: 30_000,
      hookTimeoutMs: 120_000,
      ...options,
    };
  }

  /** Reads the capabilities once, from a storage opened and closed for that purpose. */
  probe(): Promise<Probe> {
    this.#probe ??= (async () => {
      const created = await this.options.create();
      const bareAdapter = !isVconStorage(created);
      const storage = bareAdapter ? fromAdapter(created as StorageAdapter) : (created as VconStorage);
      try {
        const capabilities = {} as Record<Capability, boolean>;
        for (const capability of CAPABILITIES) capabilities[capability] = storage.supports(capability);
        return { capabilities, bareAdapter };
      } finally {
        await storage.close();
      }
    })();
    return this.#probe;
  }

  /** Registers a test in the current `describe` (the group), honouring `skip` and capabilities. */
  test(
    group: string,
    title: string,
    body: (env: TestEnvironment) => Promise<void>,
    spec: TestSpec = {},
  ): void {
    const full = `${group} > ${title}`;
    if (this.#titles.has(full)) throw new Error(`Duplicate conformance test "${full}"`);
    this.#titles.add(full);
    const skipReason = this.options.skip[full] ?? this.options.skip[title];
    it(
      title,
      async (context) => {
        if (skipReason !== undefined) context.skip(`skipped by the adapter: ${skipReason}`);
        await this.#skipForCapabilities(context, spec);
        await body(this.#environment(context));
      },
      spec.timeoutMs ?? this.options.testTimeoutMs,
    );
  }

  /** Throws when `skip` names a test that does not exist. Call after every group is registered. */
  checkSkipKeys(): void {
    const titles = new Set([...this.#titles].map((full) => full.slice(full.indexOf(" > ") + 3)));
    const unknown = Object.keys(this.options.skip).filter(
      (key) => !this.#titles.has(key) && !titles.has(key),
    );
    if (unknown.length > 0) {
      throw new Error(`describeConformance: "skip" names tests that do not exist: ${unknown.join("; ")}`);
    }
  }

  async #skipForCapabilities(context: TestContext, spec: TestSpec): Promise<void> {
    if (spec.requires === undefined && spec.requiresMissing === undefined) return;
    const { capabilities } = await this.probe();
    const required = spec.requires === undefined ? [] : [spec.requires].flat();
    const missing = required.filter((capability) => !capabilities[capability]);
    if (missing.length > 0) context.skip(`the adapter does not declare ${missing.join(", ")}`);
    if (spec.requiresMissing !== undefined && capabilities[spec.requiresMissing]) {
      context.skip(`the adapter declares ${spec.requiresMissing}; the tests above check it`);
    }
  }

  #environment(context: TestContext): TestEnvironment {
    const track = <T extends { close(): Promise<void> }>(closable: T): T => {
      // Registered before anything can fail, so no storage outlives its test.
      onTestFinished(() => closable.close());
      return closable;
    };
    return {
      options: this.options,
      open: async () => {
        const created = await this.options.create();
        return track(isVconStorage(created) ? created : fromAdapter(created));
      },
      openAdapter: async () => {
        const { bareAdapter } = await this.probe();
        if (!bareAdapter) {
          context.skip("the factory returns a VconStorage; return the bare adapter to run this check");
        }
        return track((await this.options.create()) as StorageAdapter);
      },
    };
  }
}

/** A VconStorage (from this or another copy of core) rather than a bare adapter. */
export function isVconStorage(value: unknown): value is VconStorage {
  const candidate = value as Partial<VconStorage> | null;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    typeof candidate.supports === "function" &&
    typeof candidate.saveMany === "function" &&
    typeof candidate.search === "function"
  );
}
