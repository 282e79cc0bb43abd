import { describeConformance } from "@vcon/storage-core/conformance";
import { describe, expect, it } from "vitest";
import { fromAdapter, isStorageError, prepareVcon } from "../../src/index.js";
import { saveEverywhere } from "./prepare-once.example.js";
import { ScanAdapter } from "./scan-adapter.example.js";

describeConformance("scan (README)", { create: () => new ScanAdapter(), propertyRuns: 10 });

describe("README author and prepare-once examples", () => {
  it("the scan adapter is opened once, and refuses documents over its maxDocumentBytes before saving", async () => {
    const adapter = new ScanAdapter();
    const storage = fromAdapter(adapter);
    const uuid = "0190f1c2-8a3b-7cde-9f01-23456789abcd";
    await Promise.all([storage.save({ uuid }), storage.get(uuid), storage.exists(uuid)]);
    expect(adapter.opens).toBe(1);
    const error = await storage.save({ uuid, pad: "x".repeat(8 * 1024 * 1024) }).catch((e: unknown) => e);
    expect(isStorageError(error, "VALIDATION")).toBe(true);
    expect(await storage.get(uuid)).toStrictEqual({ uuid });
    await storage.close();
  });

  it("saveEverywhere validates once and reports each storage's outcome", async () => {
    const storages = [
      fromAdapter(new ScanAdapter(), { name: "a" }),
      fromAdapter(new ScanAdapter(), { name: "b" }),
    ];
    const uuid = "0190f1c2-8a3b-7cde-9f01-23456789abce";
    expect(await saveEverywhere(storages, JSON.stringify({ uuid, subject: "hi" }))).toStrictEqual({
      status: 201,
      uuid,
      failed: [],
    });
    for (const storage of storages) expect(await storage.get(uuid)).toStrictEqual({ uuid, subject: "hi" });
    expect(await saveEverywhere(storages, "{}")).toMatchObject({ status: 400, issues: [{ path: "$.uuid" }] });
    await storages[1]!.close();
    expect(await saveEverywhere(storages, JSON.stringify({ uuid }))).toStrictEqual({
      status: 502,
      uuid,
      failed: ["b"],
    });
    await storages[0]!.close();
  });

  it("a prepared vCon is the object each adapter receives: validated once", async () => {
    const received: unknown[] = [];
    const adapter = new ScanAdapter();
    const save = adapter.save.bind(adapter);
    adapter.save = async (vcon) => {
      received.push(vcon);
      await save(vcon);
    };
    const prepared = prepareVcon({ uuid: "0190f1c2-8a3b-7cde-9f01-23456789abcf" });
    await fromAdapter(adapter).save(prepared);
    expect(received[0]).toBe(prepared);
  });
});
