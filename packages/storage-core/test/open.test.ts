/** The adapter's optional open(): once, shared by concurrent calls, retried after a failure, never leaked by close(). */
import { describe, expect, it } from "vitest";
import type { NormalizedExportOptions, StorageAdapter } from "../src/adapter-kit.js";
import { fromAdapter, type PreparedVcon, type VconDocument } from "../src/index.js";
import { deferred, rejection } from "./support/outcomes.js";

const UUID = "0190f1c2-8a3b-7cde-9f01-000000000001";
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Records every call in order; `open` is replaced per test. */
function openingAdapter(open: () => Promise<void>) {
  const log: string[] = [];
  const documents = new Map<string, string>();
  const adapter: StorageAdapter = {
    name: "opening",
    capabilities: { export: true },
    open: async () => {
      log.push("open");
      await open();
      log.push("opened");
    },
    async save(vcon: PreparedVcon) {
      log.push("save");
      documents.set(vcon.uuid, vcon.json);
    },
    async get(uuid: string) {
      log.push("get");
      const json = documents.get(uuid);
      return json === undefined ? null : (JSON.parse(json) as VconDocument);
    },
    async *export(_options: NormalizedExportOptions) {
      log.push("export");
      for (const json of documents.values()) yield JSON.parse(json) as VconDocument;
    },
    async close() {
      log.push("close");
    },
  };
  return { adapter, log };
}

describe("open()", () => {
  it("runs once before the first operation; calls made meanwhile wait for it", async () => {
    const gate = deferred();
    const { adapter, log } = openingAdapter(() => gate.promise);
    const storage = fromAdapter(adapter);
    expect(log).toStrictEqual([]); // nothing happens until the first call
    const save = storage.save({ uuid: UUID, subject: "a" });
    const get = storage.get(UUID);
    await settle();
    expect(log).toStrictEqual(["open"]);
    gate.resolve();
    await save;
    expect(await get).toStrictEqual({ uuid: UUID, subject: "a" });
    await storage.get(UUID);
    expect(log.filter((entry) => entry === "open")).toHaveLength(1);
    expect(log.slice(0, 3)).toStrictEqual(["open", "opened", "save"]);
    await storage.close();
  });

  it("a failed open rejects every waiting call with its error, and the next call opens again", async () => {
    let attempts = 0;
    const { adapter } = openingAdapter(async () => {
      attempts++;
      if (attempts === 1) {
        throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
      }
    });
    const storage = fromAdapter(adapter);
    const [first, second] = await Promise.all([
      rejection(() => storage.save({ uuid: UUID })),
      rejection(() => storage.get(UUID)),
    ]);
    expect([first.code, first.retryable]).toStrictEqual(["UNAVAILABLE", true]);
    expect([second.code, second.message]).toStrictEqual([first.code, first.message]);
    expect(attempts).toBe(1);
    // The backend came up: the next call opens again and goes through.
    await expect(storage.save({ uuid: UUID })).resolves.toStrictEqual({ uuid: UUID });
    expect(attempts).toBe(2);
    await storage.get(UUID);
    expect(attempts).toBe(2);
    await storage.close();
  });

  it("close() while open() runs waits for it, then closes the adapter once; later calls are CLOSED", async () => {
    const gate = deferred();
    const { adapter, log } = openingAdapter(() => gate.promise);
    const storage = fromAdapter(adapter);
    const save = storage.save({ uuid: UUID });
    await settle();
    const closing = storage.close();
    await settle();
    expect(log).toStrictEqual(["open"]); // not closed under a running open
    gate.resolve();
    await save; // already in flight: it completes
    await closing;
    expect(log).toStrictEqual(["open", "opened", "save", "close"]);
    expect((await rejection(() => storage.get(UUID))).code).toBe("CLOSED");
    expect(log.filter((entry) => entry === "open")).toHaveLength(1);
  });

  it("close() after a failed open still closes the adapter, once", async () => {
    const { adapter, log } = openingAdapter(async () => {
      throw new Error("bad handshake");
    });
    const storage = fromAdapter(adapter);
    expect((await rejection(() => storage.get(UUID))).code).toBe("INTERNAL");
    await storage.close();
    await storage.close();
    expect(log).toStrictEqual(["open", "close"]);
  });

  it("close() before any call closes the adapter without opening it", async () => {
    const { adapter, log } = openingAdapter(async () => {});
    const storage = fromAdapter(adapter);
    await storage.close();
    expect(log).toStrictEqual(["close"]);
    expect((await rejection(() => storage.save({ uuid: UUID }))).code).toBe("CLOSED");
    expect(log).toStrictEqual(["close"]);
  });

  it("export waits for open() too, and fails with its error", async () => {
    let fail = true;
    const { adapter, log } = openingAdapter(async () => {
      if (fail) throw Object.assign(new Error("getaddrinfo ENOTFOUND db"), { code: "ENOTFOUND" });
    });
    const storage = fromAdapter(adapter);
    const drain = async () => {
      const seen: unknown[] = [];
      for await (const document of storage.export()) seen.push(document);
      return seen;
    };
    expect((await rejection(drain)).code).toBe("UNAVAILABLE");
    fail = false;
    await storage.save({ uuid: UUID });
    expect(await drain()).toStrictEqual([{ uuid: UUID }]);
    expect(log.filter((entry) => entry === "open")).toHaveLength(2);
    await storage.close();
  });
});

describe("VconStorage.open()", () => {
  it("opens eagerly, once, sharing the attempt with calls made meanwhile", async () => {
    const gate = deferred();
    const { adapter, log } = openingAdapter(() => gate.promise);
    const storage = fromAdapter(adapter);
    const opening = storage.open!();
    const get = storage.get(UUID);
    await settle();
    expect(log).toStrictEqual(["open"]);
    gate.resolve();
    await opening;
    expect(await get).toBeNull();
    await storage.open!(); // already open: nothing runs
    expect(log.filter((entry) => entry === "open")).toHaveLength(1);
    await storage.close();
    expect((await rejection(() => storage.open!())).code).toBe("CLOSED");
  });

  it("rejects with the classified open error, and tries again next time", async () => {
    let attempts = 0;
    const { adapter } = openingAdapter(async () => {
      attempts++;
      if (attempts === 1) throw Object.assign(new Error("connect ETIMEDOUT"), { code: "ETIMEDOUT" });
    });
    const storage = fromAdapter(adapter, { name: "primary" });
    const error = await rejection(() => storage.open!());
    expect([error.code, error.retryable]).toStrictEqual(["UNAVAILABLE", true]);
    expect(error.message).toContain('Storage "primary"');
    await storage.open!();
    expect(attempts).toBe(2);
    await storage.close();
  });

  it("close() during an eager open waits for it, then closes once", async () => {
    const gate = deferred();
    const { adapter, log } = openingAdapter(() => gate.promise);
    const storage = fromAdapter(adapter);
    const opening = storage.open!();
    await settle();
    const closing = storage.close();
    await settle();
    expect(log).toStrictEqual(["open"]);
    gate.resolve();
    await opening;
    await closing;
    expect(log).toStrictEqual(["open", "opened", "close"]);
  });

  it("resolves at once for an adapter without open()", async () => {
    const { adapter } = openingAdapter(async () => {});
    delete (adapter as { open?: unknown }).open;
    const storage = fromAdapter(adapter);
    await storage.open!();
    expect(await storage.get(UUID)).toBeNull();
    await storage.close();
  });
});
