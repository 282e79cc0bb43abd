/** The glue every group uses: opening storages, reading capabilities, skipping with a stated reason. */
import { it, onTestFinished, type TestContext } from "vitest";
import { CAPABILITIES, type Capability, type StorageAdapter } from "../adapter.js";
import { fromAdapter, type VconStorage } from "../storage.js";
import { describeError } from "./assertions.js";

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
  /**
   * The backend-failure hook, with `restoreWrites`: from now on the BACKEND itself refuses every write
   * (insert or update) of the vCon with this canonical uuid, while other uuids still write. A SQL adapter
   * implements it with a trigger that raises for that id; a test double with a set the backend checks.
   * Calls add up. With both hooks, the "backend failures" group proves save error propagation and
   * saveMany atomicity against a real failure inside the backend, not only one injected in the input.
   */
  failWrites?: (uuid: string) => unknown | Promise<unknown>;
  /** Undoes every `failWrites` call. The suite calls it after each test that used `failWrites`. */
  restoreWrites?: () => unknown | Promise<unknown>;
  /**
   * How many backend resources this process holds right now (open connections, server-side cursors,
   * locks...), e.g. a count from `pg_stat_activity` by application_name. When given, the suite checks
   * that close() brings it back to where it was before the adapter was created. Process-side handles
   * (sockets, timers, files) are checked without it.
   */
  openResources?: () => number | Promise<number>;
  /** Size of the large-document test in bytes (default 4 MiB). */
  largeDocumentBytes?: number;
  /** Runs of each property-based test (default 50). */
  propertyRuns?: number;
  /** Timeout of each test in milliseconds (default 30 000). */
  testTimeoutMs?: number;
  /** Timeout of `setup` and `teardown` in milliseconds (default 120 000). */
  hookTimeoutMs?: number;
  /** How long the capability probe waits for `create()` (and that storage's close) (default 30 000). */
  probeTimeoutMs?: number;
}

type Hooks = "setup" | "teardown" | "failWrites" | "restoreWrites" | "openResources";

export type ResolvedOptions = Required<Omit<ConformanceOptions, Hooks>> & Pick<ConformanceOptions, Hooks>;

export interface TestEnvironment {
  /** Opens a storage from the factory; it is closed after the test. */
  open(): Promise<VconStorage>;
  /**
   * Opens the bare adapter when the factory returns one (closed after the test unless the test closed
   * it with `closeAdapter`), for checks that must bypass core's facade. Skips the test, with the reason,
   * when the factory returns a VconStorage.
   */
  openAdapter(): Promise<StorageAdapter>;
  /** Closes a bare adapter from `openAdapter` now; it is then not closed again after the test. */
  closeAdapter(adapter: StorageAdapter): Promise<void>;
  /**
   * The backend-failure hook (see `ConformanceOptions.failWrites`); writes are restored after the test.
   * Skips the test, with the reason, when the options give no hook.
   */
  failWrites(uuid: string): Promise<void>;
  /** Undoes `failWrites` now (it is undone after the test anyway). */
  restoreWrites(): Promise<void>;
  /** What the capability probe found. */
  probe: Probe;
  /** Skips the rest of this test with a reason the report prints. */
  skip(reason: string): never;
  options: ResolvedOptions;
}

export interface Probe {
  capabilities: Record<Capability, boolean>;
  bareAdapter: boolean;
  /** The bare adapter's declared `maxDocumentBytes`, when it declares one. */
  maxDocumentBytes: number | undefined;
  /** The bare adapter's declared `maxBatchSize`, when it declares one. */
  maxBatchSize: number | undefined;
}

export interface TestSpec {
  /** Runs only when the adapter declares this capability (skipped with the reason otherwise). */
  requires?: Capability | Capability[];
  /** Runs only when the adapter does NOT declare it (the NOT_SUPPORTED checks). */
  requiresMissing?: Capability;
  timeoutMs?: number;
}

/** Rejects with `message` when `promise` has not settled after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
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
      probeTimeoutMs: 30_000,
      ...options,
    };
    if ((options.failWrites === undefined) !== (options.restoreWrites === undefined)) {
      throw new TypeError("describeConformance: give both failWrites and restoreWrites, or neither");
    }
  }

  /**
   * Reads the capabilities once, from a storage opened and closed for that purpose. Every test awaits
   * it, so a factory that fails or hangs fails each test with this message instead of a hook timeout.
   */
  probe(): Promise<Probe> {
    this.#probe ??= (async () => {
      const limit = this.options.probeTimeoutMs;
      let created: VconStorage | StorageAdapter;
      try {
        created = await within(
          Promise.resolve().then(() => this.options.create()),
          limit,
          `create() did not resolve within ${seconds(limit)}: the capability probe could not open a storage`,
        );
      } catch (error) {
        if (error instanceof Error && error.message.startsWith("create() did not resolve")) throw error;
        throw new Error(`create() failed in the capability probe: ${describeError(error)}`, { cause: error });
      }
      const bareAdapter = !isVconStorage(created);
      const storage = bareAdapter ? fromAdapter(created as StorageAdapter) : (created as VconStorage);
      try {
        const capabilities = {} as Record<Capability, boolean>;
        for (const capability of CAPABILITIES) capabilities[capability] = storage.supports(capability);
        const declared = (key: "maxDocumentBytes" | "maxBatchSize") => {
          const value = bareAdapter ? (created as StorageAdapter)[key] : undefined;
          return typeof value === "number" ? value : undefined;
        };
        return {
          capabilities,
          bareAdapter,
          maxDocumentBytes: declared("maxDocumentBytes"),
          maxBatchSize: declared("maxBatchSize"),
        };
      } finally {
        await within(
          storage.close(),
          limit,
          `close() of the capability probe's storage did not resolve within ${seconds(limit)}`,
        );
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
        const probe = await this.probe();
        this.#skipForCapabilities(context, spec, probe);
        await body(this.#environment(context, probe));
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

  #skipForCapabilities(context: TestContext, spec: TestSpec, probe: Probe): void {
    if (spec.requires === undefined && spec.requiresMissing === undefined) return;
    const { capabilities } = probe;
    const required = spec.requires === undefined ? [] : [spec.requires].flat();
    const missing = required.filter((capability) => !capabilities[capability]);
    if (missing.length > 0) context.skip(`the adapter does not declare ${missing.join(", ")}`);
    if (spec.requiresMissing !== undefined && capabilities[spec.requiresMissing]) {
      context.skip(`the adapter declares ${spec.requiresMissing}; the tests above check it`);
    }
  }

  #environment(context: TestContext, probe: Probe): TestEnvironment {
    const closedByTest = new WeakSet<object>();
    const track = <T extends { close(): Promise<void> }>(closable: T): T => {
      // Registered before anything can fail, so no storage outlives its test.
      onTestFinished(async () => {
        if (!closedByTest.has(closable)) await closable.close();
      });
      return closable;
    };
    const { failWrites, restoreWrites } = this.options;
    let writesFailed = false;
    const skip = (reason: string): never => {
      context.skip(reason);
      throw new Error("unreachable: skipped");
    };
    return {
      options: this.options,
      probe,
      skip,
      open: async () => {
        const created = await this.options.create();
        return track(isVconStorage(created) ? created : fromAdapter(created));
      },
      openAdapter: async () => {
        if (!probe.bareAdapter) {
          skip("the factory returns a VconStorage; return the bare adapter to run this check");
        }
        const adapter = track((await this.options.create()) as StorageAdapter);
        // What core does before the first operation (an adapter may need it before any call).
        await (adapter as { open?: () => Promise<void> }).open?.();
        return adapter;
      },
      closeAdapter: async (adapter) => {
        closedByTest.add(adapter);
        await adapter.close();
      },
      failWrites: async (uuid) => {
        if (failWrites === undefined || restoreWrites === undefined) {
          skip("the options give no failWrites/restoreWrites hook: see ConformanceOptions.failWrites");
          return;
        }
        if (!writesFailed) {
          writesFailed = true;
          // Once per test, however many uuids fail; a failing restore fails the test.
          onTestFinished(async () => {
            if (writesFailed) await restoreWrites();
          });
        }
        await failWrites(uuid);
      },
      restoreWrites: async () => {
        if (!writesFailed || restoreWrites === undefined) return;
        writesFailed = false;
        await restoreWrites();
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
