import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import type { NormalizedExportOptions, StorageAdapter } from "../src/adapter-kit.js";
import {
  BatchError,
  fromAdapter,
  isStorageError,
  type Logger,
  type OperationEvent,
  type PreparedVcon,
  type StorageError,
  UnavailableError,
  type VconDocument,
} from "../src/index.js";
import { ReferenceAdapter } from "./broken/reference-adapter.js";
import { deferred, rejection } from "./support/outcomes.js";

const uuid = (n: number) => `0190f1c2-8a3b-7cde-9f01-${String(n).padStart(12, "0")}`;
/** Lets pending promise callbacks run; no timers involved. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Only the required methods: every optional capability is undeclared. */
function minimalAdapter(overrides: Partial<StorageAdapter> = {}): StorageAdapter & { closes: number } {
  const documents = new Map<string, string>();
  const adapter = {
    name: "minimal",
    capabilities: {},
    closes: 0,
    async save(vcon: PreparedVcon) {
      documents.set(vcon.uuid, vcon.json);
    },
    async get(id: string) {
      const json = documents.get(id);
      return json === undefined ? null : (JSON.parse(json) as VconDocument);
    },
    async close() {
      adapter.closes++;
    },
    ...overrides,
  };
  return adapter;
}

describe("close", () => {
  it("waits for operations in flight, then closes the adapter once", async () => {
    const gate = deferred();
    const adapter = minimalAdapter({ save: () => gate.promise });
    const storage = fromAdapter(adapter);
    const save = storage.save({ uuid: uuid(1) });
    let closed = false;
    const closing = storage.close().then(() => {
      closed = true;
    });
    await settle();
    expect(closed).toBe(false);
    expect(adapter.closes).toBe(0);
    gate.resolve();
    await expect(save).resolves.toStrictEqual({ uuid: uuid(1) });
    await closing;
    await storage.close();
    expect(adapter.closes).toBe(1);
    expect((await rejection(() => storage.get(uuid(1)))).code).toBe("CLOSED");
  });

  it("aborts an export in progress: the adapter sees the signal and the consumer gets CLOSED", async () => {
    let signal: AbortSignal | undefined;
    const adapter = minimalAdapter({
      capabilities: { export: true },
      async *export(options: NormalizedExportOptions) {
        signal = options.signal;
        for (let i = 0; ; i++) {
          if (options.signal.aborted) return;
          yield { uuid: uuid(i) };
        }
      },
    });
    const storage = fromAdapter(adapter);
    const iterator = storage.export()[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toStrictEqual({ uuid: uuid(0) });
    await storage.close();
    expect(signal?.aborted).toBe(true);
    expect((await rejection(() => iterator.next())).code).toBe("CLOSED");
  });

  it("a failing adapter close is reported as a StorageError", async () => {
    const storage = fromAdapter(
      minimalAdapter({
        close: async () => {
          throw new Error("socket hang up");
        },
      }),
    );
    expect((await rejection(() => storage.close())).code).toBe("INTERNAL");
  });
});

describe("logger and onOperation", () => {
  it("reports every operation with its duration, uuid and count", async () => {
    const events: OperationEvent[] = [];
    const storage = fromAdapter(new ReferenceAdapter(), {
      name: "primary",
      onOperation: (e) => events.push(e),
    });
    await storage.save({ uuid: uuid(1).toUpperCase() });
    await storage.get(uuid(2));
    await storage.search({});
    await rejection(() => storage.save({} as never));
    await storage.close();
    expect(events.map(({ durationMs, ...rest }) => rest)).toStrictEqual([
      { storage: "primary", adapter: "reference", ok: true, operation: "save", uuid: uuid(1) },
      { storage: "primary", adapter: "reference", ok: true, operation: "get", uuid: uuid(2), count: 0 },
      { storage: "primary", adapter: "reference", ok: true, operation: "search", count: 1 },
      { storage: "primary", adapter: "reference", ok: false, operation: "save", code: "VALIDATION" },
      { storage: "primary", adapter: "reference", ok: true, operation: "close" },
    ]);
    for (const event of events) expect(event.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("logs successes at debug, input errors at debug and backend failures at warn; a throwing hook is ignored", async () => {
    const lines: Array<[string, object, string | undefined]> = [];
    const record =
      (level: string) =>
      (object: object, message?: string): void => {
        lines.push([level, object, message]);
      };
    const logger: Logger = {
      debug: record("debug"),
      info: record("info"),
      warn: record("warn"),
      error: record("error"),
    };
    const storage = fromAdapter(
      minimalAdapter({
        get: async () => {
          throw new Error("boom postgres://u:hunter2@h/db");
        },
      }),
      {
        logger,
        onOperation: () => {
          throw new Error("metrics down");
        },
      },
    );
    await storage.save({ uuid: uuid(1) });
    await rejection(() => storage.save([] as never));
    const failure = await rejection(() => storage.get(uuid(1)));
    expect(lines.map(([level, , message]) => `${level} ${message}`)).toStrictEqual([
      "debug vcon storage save",
      "debug vcon storage save failed",
      "warn vcon storage get failed",
    ]);
    expect(failure.message).not.toContain("hunter2");
    expect(JSON.stringify(lines[2]![1])).not.toContain("hunter2");
  });
});

describe("capabilities", () => {
  it("undeclared capabilities reject with NOT_SUPPORTED", async () => {
    const storage = fromAdapter(minimalAdapter());
    expect(storage.capabilities).toStrictEqual({
      delete: false,
      exists: false,
      saveMany: false,
      search: false,
      export: false,
      searchText: false,
      searchTags: false,
      changes: false,
      claimChanges: false,
    });
    for (const call of [
      () => storage.delete(uuid(1)),
      () => storage.exists(uuid(1)),
      () => storage.saveMany([]),
      () => storage.search(),
      () => storage.export(),
      () => storage.recordChanges!(true),
      () => storage.readChanges!(),
      () => storage.acknowledgeChanges!([]),
      () => storage.pendingChanges!(),
      () => storage.claimChanges!("consumer"),
    ]) {
      expect((await rejection(call)).code).toBe("NOT_SUPPORTED");
    }
  });

  it("declaring a capability without its method is refused up front", () => {
    expect(() => fromAdapter(minimalAdapter({ capabilities: { search: true } }))).toThrow(/declares search/);
  });

  it("claimChanges needs changes declared too", () => {
    const claimOnly = minimalAdapter({
      capabilities: { claimChanges: true },
      claimChanges: async (holder: string) => ({ holder, claimedMs: 0 }),
    });
    expect(() => fromAdapter(claimOnly)).toThrow(/declares claimChanges but does not implement changes/);
  });
});

describe("errors from adapters", () => {
  it("wraps stray errors as INTERNAL, network errors as retryable UNAVAILABLE, and keeps StorageErrors", async () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    const cases: Array<[unknown, string, boolean]> = [
      [new Error("bug"), "INTERNAL", false],
      ["a string", "INTERNAL", false],
      [refused, "UNAVAILABLE", true],
      [new UnavailableError("down"), "UNAVAILABLE", true],
    ];
    for (const [thrown, code, retryable] of cases) {
      const storage = fromAdapter(
        minimalAdapter({
          save: async () => {
            throw thrown;
          },
        }),
      );
      const error = await rejection(() => storage.save({ uuid: uuid(1) }));
      expect([error.code, error.retryable]).toStrictEqual([code, retryable]);
      if (thrown instanceof Error && !isStorageError(thrown))
        expect((error.cause as Error).message).toBe(thrown.message);
    }
  });

  it("an adapter answering undefined from get is an INTERNAL error, not a silent miss", async () => {
    const storage = fromAdapter(minimalAdapter({ get: async () => undefined as never }));
    expect((await rejection(() => storage.get(uuid(1)))).code).toBe("INTERNAL");
  });

  it("names its adapter as adapterName, and still as the deprecated adapter (0.1 code)", () => {
    const storage = fromAdapter(minimalAdapter(), { name: "primary" });
    expect(storage.adapterName).toBe(minimalAdapter().name);
    expect(storage.adapter).toBe(storage.adapterName);
    expect(storage.name).toBe("primary");
    const json = JSON.parse(JSON.stringify(storage)) as Record<string, unknown>;
    expect(json.adapterName).toBe(storage.adapterName);
    expect(json.adapter).toBe(storage.adapterName);
    expect(inspect(storage)).toContain(`adapterName: ${JSON.stringify(storage.adapterName)}`);
  });

  it("does not show adapter internals when inspected or serialised", () => {
    const adapter = Object.assign(minimalAdapter(), { url: "postgres://u:hunter2@h/db" });
    const storage = fromAdapter(adapter);
    expect(inspect(storage, { depth: 5 })).not.toContain("hunter2");
    expect(JSON.stringify(storage)).not.toContain("hunter2");
  });
});

describe("saveMany", () => {
  function batchAdapter(failOnCall?: number) {
    const chunks: string[][] = [];
    const adapter = new ReferenceAdapter();
    const original = adapter.saveMany.bind(adapter);
    adapter.saveMany = async (chunk) => {
      if (chunks.length + 1 === failOnCall) {
        chunks.push([]);
        throw Object.assign(new Error("connection reset"), { code: "ECONNRESET" });
      }
      chunks.push(chunk.map((vcon) => vcon.uuid));
      await original(chunk);
    };
    return { adapter, chunks };
  }

  it("checks every document before writing any, reporting each problem by index", async () => {
    const { adapter, chunks } = batchAdapter();
    const storage = fromAdapter(adapter);
    const error = (await rejection(() =>
      storage.saveMany([
        { uuid: uuid(1) },
        { uuid: "bad" },
        { uuid: uuid(3) },
        { uuid: uuid(4), x: 1n } as never,
      ]),
    )) as StorageError & { issues: Array<{ path: string }> };
    expect(error.code).toBe("VALIDATION");
    expect(error.issues.map((issue) => issue.path)).toStrictEqual(["$[1].uuid", "$[3].x"]);
    expect(chunks).toStrictEqual([]);
    expect(await storage.get(uuid(1))).toBeNull();
  });

  it("writes in chunks capped by the adapter, last duplicate winning", async () => {
    const { adapter, chunks } = batchAdapter();
    Object.defineProperty(adapter, "maxBatchSize", { value: 2 });
    const storage = fromAdapter(adapter);
    const result = await storage.saveMany(
      [
        { uuid: uuid(1), v: 1 },
        { uuid: uuid(1), v: 2 },
        { uuid: uuid(2) },
        { uuid: uuid(3) },
        { uuid: uuid(4) },
      ],
      { chunkSize: 3 },
    );
    expect(result).toStrictEqual({
      saved: 4,
      chunks: [
        { start: 0, end: 2 },
        { start: 2, end: 4 },
        { start: 4, end: 5 },
      ],
    });
    expect(chunks).toStrictEqual([[uuid(1)], [uuid(2), uuid(3)], [uuid(4)]]);
    expect(await storage.get(uuid(1))).toStrictEqual({ uuid: uuid(1), v: 2 });
    expect((await rejection(() => storage.saveMany([], { chunkSize: 0 }))).code).toBe("VALIDATION");
  });

  it("reports the chunks that landed when a later chunk fails, via BatchError", async () => {
    const { adapter } = batchAdapter(2);
    const storage = fromAdapter(adapter);
    const documents = [1, 2, 3, 4, 5].map((n) => ({ uuid: uuid(n) }));
    const error = await rejection(() => storage.saveMany(documents, { chunkSize: 2 }));
    expect(error).toBeInstanceOf(BatchError);
    const batch = error as BatchError;
    expect(batch.code).toBe("UNAVAILABLE");
    expect(batch.retryable).toBe(true);
    expect(batch.landed).toStrictEqual([{ start: 0, end: 2 }]);
    expect(batch.failed).toStrictEqual({ start: 2, end: 4 });
    expect(await storage.get(uuid(2))).toStrictEqual({ uuid: uuid(2) });
    expect(await storage.get(uuid(3))).toBeNull();
    expect(await storage.get(uuid(5))).toBeNull();
  });
});

describe("export and close, when the adapter throws on abort", () => {
  it("reports CLOSED, not the adapter's AbortError", async () => {
    const storage = fromAdapter(
      minimalAdapter({
        capabilities: { export: true },
        async *export(options: NormalizedExportOptions) {
          yield { uuid: uuid(0) };
          await new Promise<void>((resolve) => options.signal.addEventListener("abort", () => resolve()));
          throw new DOMException("The operation was aborted", "AbortError");
        },
      }),
    );
    const iterator = storage.export()[Symbol.asyncIterator]();
    await iterator.next();
    const pending = iterator.next();
    await storage.close();
    expect((await rejection(() => pending)).code).toBe("CLOSED");
  });
});
