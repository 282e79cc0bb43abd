/**
 * The change log through the facade: capability gating, input checks made before the adapter is
 * called, the manifest check at fromAdapter, CLOSED after close, and what is reported per call.
 * The semantics themselves (what a change holds, acknowledgement, recording on and off) are the
 * conformance suite's "changes" group, run on the reference adapter by broken-adapters.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { StorageAdapter, StorageChange } from "../src/adapter-kit.js";
import { fromAdapter, type OperationEvent, type PreparedVcon, type VconDocument } from "../src/index.js";
import { ReferenceAdapter } from "./broken/reference-adapter.js";
import { rejection } from "./support/outcomes.js";

const CHANGE_METHODS = ["recordChanges", "readChanges", "acknowledgeChanges", "pendingChanges"] as const;
type ChangeMethod = (typeof CHANGE_METHODS)[number];

const CHANGE: StorageChange = {
  id: "7",
  uuid: "0190f1c2-8a3b-7cde-9f01-000000000001",
  json: '{"uuid":"0190f1c2-8a3b-7cde-9f01-000000000001"}',
  recordedMs: 1_700_000_000_000,
};

/** An adapter whose change-log methods record their calls; `changes` declared unless told otherwise. */
function changeLogAdapter(declared = true, omit?: ChangeMethod) {
  const calls: Array<[ChangeMethod, unknown]> = [];
  const adapter: StorageAdapter = {
    name: "change-log",
    capabilities: declared ? { changes: true } : {},
    async save(_vcon: PreparedVcon) {},
    async get(): Promise<VconDocument | null> {
      return null;
    },
    async close() {},
    async recordChanges(on) {
      calls.push(["recordChanges", on]);
    },
    async readChanges(limit) {
      calls.push(["readChanges", limit]);
      return [CHANGE];
    },
    async acknowledgeChanges(ids) {
      calls.push(["acknowledgeChanges", ids]);
    },
    async pendingChanges() {
      calls.push(["pendingChanges", undefined]);
      return { count: 1, oldestMs: CHANGE.recordedMs };
    },
  };
  if (omit) delete adapter[omit];
  return { adapter, calls };
}

describe("the change log through the facade", () => {
  it("the four methods reject NOT_SUPPORTED without the capability, and the adapter is not called", async () => {
    const { adapter, calls } = changeLogAdapter(false);
    const storage = fromAdapter(adapter);
    expect(storage.supports("changes")).toBe(false);
    for (const call of [
      () => storage.recordChanges!(true),
      () => storage.readChanges!(10),
      () => storage.acknowledgeChanges!(["7"]),
      () => storage.pendingChanges!(),
    ]) {
      const error = await rejection(call);
      expect(error.code).toBe("NOT_SUPPORTED");
      expect(error.message).toContain("changes");
    }
    expect(calls).toStrictEqual([]);
  });

  it("passes calls and answers through, with readChanges' limit 100 when left out", async () => {
    const { adapter, calls } = changeLogAdapter();
    const storage = fromAdapter(adapter);
    expect(storage.supports("changes")).toBe(true);
    await storage.recordChanges!(true);
    await storage.recordChanges!(false);
    expect(await storage.readChanges!()).toStrictEqual([CHANGE]);
    expect(await storage.readChanges!(1)).toStrictEqual([CHANGE]);
    expect(await storage.readChanges!(10_000)).toStrictEqual([CHANGE]);
    await storage.acknowledgeChanges!(["7", "7", "unknown"]);
    expect(await storage.pendingChanges!()).toStrictEqual({ count: 1, oldestMs: CHANGE.recordedMs });
    expect(calls).toStrictEqual([
      ["recordChanges", true],
      ["recordChanges", false],
      ["readChanges", 100],
      ["readChanges", 1],
      ["readChanges", 10_000],
      ["acknowledgeChanges", ["7", "7", "unknown"]],
      ["pendingChanges", undefined],
    ]);
  });

  it("refuses a limit outside 1..10000 or not an integer, and bad ids, with VALIDATION before the adapter", async () => {
    const { adapter, calls } = changeLogAdapter();
    const storage = fromAdapter(adapter);
    for (const limit of [0, 10_001, 1.5, -1, Number.NaN, Number.POSITIVE_INFINITY, "5" as never]) {
      const error = await rejection(() => storage.readChanges!(limit));
      expect(error.code, `limit ${String(limit)}`).toBe("VALIDATION");
      expect(error.message).toContain("10000");
    }
    for (const ids of ["x" as never, [1] as never, ["7", null] as never, undefined as never]) {
      const error = await rejection(() => storage.acknowledgeChanges!(ids));
      expect(error.code, `ids ${JSON.stringify(ids)}`).toBe("VALIDATION");
    }
    for (const on of ["yes", 1, undefined] as never[]) {
      expect((await rejection(() => storage.recordChanges!(on))).code).toBe("VALIDATION");
    }
    expect(calls, "the adapter saw none of these calls").toStrictEqual([]);
  });

  it("acknowledging no ids resolves without calling the adapter", async () => {
    const { adapter, calls } = changeLogAdapter();
    await fromAdapter(adapter).acknowledgeChanges!([]);
    expect(calls).toStrictEqual([]);
  });

  for (const method of CHANGE_METHODS) {
    it(`declaring changes without ${method} is refused at fromAdapter, naming it`, () => {
      const { adapter } = changeLogAdapter(true, method);
      expect(() => fromAdapter(adapter)).toThrow(
        expect.objectContaining({
          code: "INTERNAL",
          message: `Adapter "change-log" declares changes but does not implement ${method}.`,
        }),
      );
    });
  }

  it("the methods reject CLOSED after close, without calling the adapter", async () => {
    const { adapter, calls } = changeLogAdapter();
    const storage = fromAdapter(adapter);
    await storage.close();
    for (const call of [
      () => storage.recordChanges!(true),
      () => storage.readChanges!(),
      () => storage.acknowledgeChanges!(["7"]),
      () => storage.pendingChanges!(),
    ]) {
      const error = await rejection(call);
      expect(error.code).toBe("CLOSED");
      expect(error.retryable).toBe(false);
    }
    expect(calls).toStrictEqual([]);
  });

  it("classifies the adapter's stray errors like any other call's", async () => {
    const { adapter } = changeLogAdapter();
    adapter.readChanges = async () => {
      throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    };
    adapter.pendingChanges = async () => {
      throw new Error("bug");
    };
    const storage = fromAdapter(adapter);
    expect(await rejection(() => storage.readChanges!())).toMatchObject({
      code: "UNAVAILABLE",
      retryable: true,
    });
    expect(await rejection(() => storage.pendingChanges!())).toMatchObject({ code: "INTERNAL" });
  });

  it("reports each call as an operation, with the count of changes read and acknowledged", async () => {
    const events: OperationEvent[] = [];
    const { adapter } = changeLogAdapter();
    const storage = fromAdapter(adapter, { name: "primary", onOperation: (event) => events.push(event) });
    await storage.recordChanges!(true);
    await storage.readChanges!();
    await storage.acknowledgeChanges!(["7", "8"]);
    await storage.pendingChanges!();
    await rejection(() => storage.readChanges!(0));
    const base = { storage: "primary", adapter: "change-log" };
    expect(events.map(({ durationMs, ...rest }) => rest)).toStrictEqual([
      { ...base, ok: true, operation: "recordChanges" },
      { ...base, ok: true, operation: "readChanges", count: 1 },
      { ...base, ok: true, operation: "acknowledgeChanges", count: 2 },
      { ...base, ok: true, operation: "pendingChanges" },
      { ...base, ok: false, operation: "readChanges", code: "VALIDATION" },
    ]);
  });

  it("the reference adapter records a save, a delete and a saveMany, and forgets them when turned off", async () => {
    // A smoke test of the fixture the suite's control runs on; the suite checks the rules in depth.
    const storage = fromAdapter(new ReferenceAdapter());
    const uuid = (n: number) => `0190f1c2-8a3b-7cde-9f01-${String(n).padStart(12, "0")}`;
    await storage.save({ uuid: uuid(1) });
    expect(await storage.pendingChanges!()).toStrictEqual({ count: 0, oldestMs: null });
    await storage.recordChanges!(true);
    await storage.save({ uuid: uuid(1), v: 2 });
    await storage.delete(uuid(1));
    await storage.saveMany([{ uuid: uuid(2) }, { uuid: uuid(3) }]);
    const changes = await storage.readChanges!();
    expect(changes.map(({ uuid, json }) => [uuid, json])).toStrictEqual([
      [uuid(1), null],
      [uuid(1), null],
      [uuid(2), `{"uuid":"${uuid(2)}"}`],
      [uuid(3), `{"uuid":"${uuid(3)}"}`],
    ]);
    await storage.recordChanges!(false);
    expect(await storage.readChanges!()).toStrictEqual([]);
    await storage.close();
  });
});
