/**
 * Read options (`{ consistency }`) reach adapters with read replicas as given, are checked first, and
 * are never passed to an adapter when the caller gave none, so 0.1 adapters see the calls they always saw.
 */
import { describe, expect, it } from "vitest";
import type { NormalizedExportOptions, StorageAdapter } from "../src/adapter-kit.js";
import { fromAdapter, isStorageError, type ReadOptions } from "../src/index.js";

const UUID = "0190f1c2-8a3b-7cde-9f01-000000000001";

/** Records the arguments of every read. */
function recordingAdapter() {
  const calls: { method: string; args: unknown[] }[] = [];
  const adapter: StorageAdapter = {
    name: "recording",
    capabilities: { exists: true, search: true, export: true },
    async save() {},
    async get(...args: unknown[]) {
      calls.push({ method: "get", args });
      return null;
    },
    async exists(...args: unknown[]) {
      calls.push({ method: "exists", args });
      return false;
    },
    async search(...args: unknown[]) {
      calls.push({ method: "search", args });
      return { items: [], nextCursor: null };
    },
    async *export(options: NormalizedExportOptions) {
      calls.push({ method: "export", args: [options] });
      yield* [];
    },
    async close() {},
  };
  return { adapter, calls };
}

describe("read options", () => {
  it("are not passed when the caller gave none", async () => {
    const { adapter, calls } = recordingAdapter();
    const storage = fromAdapter(adapter);
    await storage.get(UUID);
    await storage.exists(UUID);
    await storage.search({ tel: "+15551234567" });
    for await (const _ of storage.export()) void _;
    expect(calls.map((call) => [call.method, call.args.length])).toStrictEqual([
      ["get", 1],
      ["exists", 1],
      ["search", 1],
      ["export", 1],
    ]);
    expect("consistency" in (calls[3]!.args[0] as object)).toBe(false);
    await storage.close();
  });

  it("reach get, exists, search and export as given", async () => {
    const { adapter, calls } = recordingAdapter();
    const storage = fromAdapter(adapter);
    const primary: ReadOptions = { consistency: "primary" };
    await storage.get(UUID, primary);
    await storage.exists(UUID, { consistency: "any" });
    await storage.search({}, primary);
    for await (const _ of storage.export({ consistency: "primary" })) void _;
    expect(calls[0]!.args).toStrictEqual([UUID, { consistency: "primary" }]);
    expect(calls[1]!.args).toStrictEqual([UUID, { consistency: "any" }]);
    expect(calls[2]!.args[1]).toStrictEqual({ consistency: "primary" });
    expect((calls[3]!.args[0] as NormalizedExportOptions).consistency).toBe("primary");
    await storage.close();
  });

  it("an unknown consistency is a VALIDATION naming the field, before the adapter is called", async () => {
    const { adapter, calls } = recordingAdapter();
    const storage = fromAdapter(adapter);
    const bad = { consistency: "eventual" } as unknown as ReadOptions;
    for (const call of [
      () => storage.get(UUID, bad),
      () => storage.exists(UUID, bad),
      () => storage.search({}, bad),
      async () => {
        for await (const _ of storage.export(bad)) void _;
      },
    ]) {
      const error = await call().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(isStorageError(error, "VALIDATION")).toBe(true);
      if (isStorageError(error, "VALIDATION")) {
        expect(error.issues.map((issue) => issue.path)).toStrictEqual(["options.consistency"]);
      }
    }
    expect(calls).toStrictEqual([]);
    await storage.close();
  });
});
