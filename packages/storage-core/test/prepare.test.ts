/** Validate once: prepareBatch for applications, prepared vCons accepted as they are, adapters' maxDocumentBytes. */
import { describe, expect, it } from "vitest";
import type { StorageAdapter } from "../src/adapter-kit.js";
import {
  BatchError,
  fromAdapter,
  isPreparedVcon,
  isStorageError,
  type PreparedVcon,
  prepareBatch,
  prepareVcon,
  ValidationError,
  type VconDocument,
} from "../src/index.js";
import { rejection } from "./support/outcomes.js";

const uuid = (n: number) => `0190f1c2-8a3b-7cde-9f01-${String(n).padStart(12, "0")}`;

/** Keeps what save and saveMany received, by identity. */
function receivingAdapter(extra: Partial<StorageAdapter> = {}) {
  const received: PreparedVcon[] = [];
  const adapter: StorageAdapter = {
    name: "receiving",
    capabilities: { saveMany: true },
    async save(vcon) {
      received.push(vcon);
    },
    async saveMany(chunk) {
      received.push(...chunk);
    },
    async get(): Promise<VconDocument | null> {
      return null;
    },
    async close() {},
    ...extra,
  };
  return { adapter, received };
}

describe("prepareBatch", () => {
  it("returns every vCon prepared, in order, or one VALIDATION error locating each issue by index", () => {
    const good = prepareBatch([{ uuid: uuid(1) }, JSON.stringify({ uuid: uuid(2) })]);
    expect(good.map((vcon) => vcon.uuid)).toStrictEqual([uuid(1), uuid(2)]);
    expect(good.every(isPreparedVcon)).toBe(true);
    let error: unknown;
    try {
      prepareBatch([{ uuid: uuid(1) }, { uuid: "nope" }, { uuid: uuid(3), n: Number.NaN }]);
    } catch (caught) {
      error = caught;
    }
    if (!isStorageError(error, "VALIDATION")) return expect.fail("expected VALIDATION");
    expect(error.issues.map((issue) => issue.path)).toStrictEqual(["$[1].uuid", "$[2].n"]);
    expect(error.message).toMatch(/^Batch rejected, nothing was written/);
  });

  it("applies the limits it is given and refuses a non-array", () => {
    expect(() => prepareBatch([{ uuid: uuid(1), pad: "x".repeat(100) }], { maxDocumentBytes: 50 })).toThrow(
      /\$\[0\]: .*over the limit of 50 bytes/,
    );
    expect(() => prepareBatch("x" as never)).toThrow(/takes an array/);
  });
});

describe("a prepared vCon is not checked again", () => {
  it("save and saveMany hand the very prepared object to the adapter", async () => {
    const { adapter, received } = receivingAdapter();
    const storage = fromAdapter(adapter);
    const one = prepareVcon({ uuid: uuid(1), subject: "once" });
    await expect(storage.save(one)).resolves.toStrictEqual({ uuid: uuid(1) });
    const batch = prepareBatch([{ uuid: uuid(2) }, { uuid: uuid(3) }]);
    await storage.saveMany(batch);
    expect(received[0]).toBe(one);
    expect(received.slice(1)).toStrictEqual(batch);
    expect(received[1]).toBe(batch[0]);
  });

  it("one prepared vCon saved to several storages is stored as its own JSON everywhere", async () => {
    const a = receivingAdapter();
    const b = receivingAdapter();
    const prepared = prepareVcon(`{"uuid":"${uuid(4)}","subject":"kept byte for byte" }`);
    await Promise.all([fromAdapter(a.adapter).save(prepared), fromAdapter(b.adapter).save(prepared)]);
    expect(a.received[0]!.json).toBe(prepared.json);
    expect(b.received[0]).toBe(prepared);
  });

  it("a copy made with spread is still recognised; a look-alike without the brand is validated as a document", async () => {
    const { adapter, received } = receivingAdapter();
    const storage = fromAdapter(adapter);
    const prepared = prepareVcon({ uuid: uuid(5) });
    expect(isPreparedVcon({ ...prepared })).toBe(true);
    // Same fields, no brand (e.g. rebuilt by hand, or parsed back from JSON): an ordinary vCon object.
    const lookAlike = JSON.parse(JSON.stringify(prepared)) as PreparedVcon;
    expect(isPreparedVcon(lookAlike)).toBe(false);
    await storage.save(lookAlike);
    expect(JSON.parse(received[0]!.json)).toStrictEqual(lookAlike);
  });

  it("a vCon prepared under looser limits is checked again under this storage's", async () => {
    const { adapter, received } = receivingAdapter();
    const strict = fromAdapter(adapter, { limits: { maxDocumentBytes: 100, maxDepth: 3 } });
    const big = prepareVcon({ uuid: uuid(6), pad: "x".repeat(200) });
    expect((await rejection(() => strict.save(big))).code).toBe("VALIDATION");
    const deep = prepareVcon({ uuid: uuid(7), a: { b: { c: { d: 1 } } } });
    const error = await rejection(() => strict.saveMany([deep]));
    expect(error.message).toContain("$[0].a.b.c");
    // Prepared under the same or stricter limits: taken as it is.
    const small = prepareVcon({ uuid: uuid(8) }, { maxDocumentBytes: 100, maxDepth: 3 });
    await strict.save(small);
    expect(received).toStrictEqual([small]);
    expect(received[0]).toBe(small);
  });
});

describe("maxDocumentBytes of an adapter", () => {
  const sized = (bytes: number) => {
    const base = JSON.stringify({ uuid: uuid(9), pad: "" });
    return JSON.stringify({ uuid: uuid(9), pad: "x".repeat(bytes - Buffer.byteLength(base)) });
  };

  it("refuses a larger document with VALIDATION naming the limit, before the adapter sees it; just inside passes", async () => {
    const { adapter, received } = receivingAdapter({ maxDocumentBytes: 1_000 });
    const storage = fromAdapter(adapter);
    expect(Buffer.byteLength(sized(1_000))).toBe(1_000);
    await storage.save(sized(1_000));
    const outside = await rejection(() => storage.save(sized(1_001)));
    expect(outside.code).toBe("VALIDATION");
    expect(outside.message).toContain("limit of 1000 bytes");
    const batch = await rejection(() => storage.saveMany([sized(100), sized(1_001)]));
    expect(batch.code).toBe("VALIDATION");
    expect(batch.message).toContain("$[1]");
    // A prepared vCon is held to the limit too.
    expect((await rejection(() => storage.save(prepareVcon(sized(1_001))))).code).toBe("VALIDATION");
    expect(received.map((vcon) => vcon.bytes)).toStrictEqual([1_000]);
  });

  it("the smaller of the storage's limit and the adapter's applies", async () => {
    const { adapter } = receivingAdapter({ maxDocumentBytes: 1_000 });
    const storage = fromAdapter(adapter, { limits: { maxDocumentBytes: 500 } });
    expect((await rejection(() => storage.save(sized(600)))).message).toContain("limit of 500 bytes");
  });

  it("a nonsensical declared limit is refused when the storage is made", () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => fromAdapter(receivingAdapter({ maxDocumentBytes: bad }).adapter)).toThrow(
        /maxDocumentBytes/,
      );
    }
  });
});

describe("BatchError", () => {
  it("of a chunk the adapter refused as invalid narrows to VALIDATION with the adapter's issues", async () => {
    const { adapter } = receivingAdapter({
      saveMany: async () => {
        throw new ValidationError("refused by the backend", [{ path: "$[0].subject", message: "too long" }]);
      },
    });
    const error = await rejection(() => fromAdapter(adapter).saveMany([{ uuid: uuid(1) }]));
    expect(error).toBeInstanceOf(BatchError);
    if (!isStorageError(error, "VALIDATION")) return expect.fail("expected VALIDATION");
    expect(error.issues).toStrictEqual([{ path: "$[0].subject", message: "too long" }]);
  });
});
