/**
 * Odd and hostile documents against PostgreSQL's own rules (jsonb refuses \u0000 and lone surrogates,
 * has its own depth and size limits): each is stored and read back identically, or rejected with
 * VALIDATION and nothing written. Never a crash or a bare driver error.
 */
import { randomUUID } from "node:crypto";
import { DEFAULT_LIMITS } from "@vcon/storage-core";
import { describe, expect, it } from "vitest";
import { allDocuments, BACKENDS, useStorage } from "../src/backends.js";
import { rejectsWith, storedIdenticallyOrRejected } from "../src/outcome.js";
import { smallVcon } from "../src/vcons.js";

describe.each(BACKENDS)("hostile input on $label", (backend) => {
  const storage = useStorage(backend);

  it("rejects non-objects (string, number, array, null) with VALIDATION and writes nothing", async () => {
    const before = (await allDocuments(storage())).length;
    for (const input of ["not json", "[]", "null", "42", 42, [], null, true]) {
      await rejectsWith("VALIDATION", () => storage().save(input as never));
    }
    expect((await allDocuments(storage())).length).toBe(before);
  });

  it("rejects a whole batch holding one bad document, writing none of the good ones", async () => {
    const good = [smallVcon(), smallVcon(), smallVcon()];
    const batch = [...good, { ...smallVcon(), big: 1n }, ...good.map((v) => ({ ...v, subject: "again" }))];
    await rejectsWith("VALIDATION", () => storage().saveMany(batch as never));
    for (const vcon of good) expect(await storage().exists(vcon.uuid as string)).toBe(false);
  });

  it("rejects a missing or malformed uuid with VALIDATION", async () => {
    const { uuid: _, ...withoutUuid } = smallVcon();
    await rejectsWith("VALIDATION", () => storage().save(withoutUuid as never));
    for (const bad of ["", "not-a-uuid", "1234", `${randomUUID()}x`, `{${randomUUID()}`, 7, null]) {
      await rejectsWith("VALIDATION", () => storage().save({ ...smallVcon(), uuid: bad } as never));
    }
    await rejectsWith("VALIDATION", () => storage().get("' or 1=1 --"));
  });

  it("normalises upper-case and braced uuids to one lower-case row", async () => {
    const uuid = randomUUID();
    const upper = uuid.toUpperCase();
    expect(await storage().save(smallVcon(upper, "first"))).toEqual({ uuid });
    expect(await storage().save(smallVcon(`{${uuid}}`, "second"))).toEqual({ uuid });
    const documents = (await allDocuments(storage())).filter(
      (d) => String(d.uuid).toLowerCase().replace(/[{}]/g, "") === uuid,
    );
    expect(documents).toHaveLength(1);
    expect((await storage().get(upper))?.subject).toBe("second");
    expect((await storage().get(`{${upper}}`))?.subject).toBe("second");
    expect(await storage().exists(uuid)).toBe(true);
    expect(await storage().delete(`{${upper}}`)).toBe(true);
    expect(await storage().get(uuid)).toBeNull();
  });

  it("handles \\u0000 in values, keys, subject and party fields (jsonb refuses it)", async () => {
    const uuid = randomUUID();
    const vcon = {
      ...smallVcon(uuid, "nul\u0000subject"),
      parties: [{ tel: "+1555\u00000100", name: "A\u0000da" }],
      "key\u0000with nul": "value\u0000with nul",
      nested: { deep: ["\u0000", "\u0000\u0000x"] },
    };
    // PostgreSQL keeps the exact text; only the queryable jsonb copy is sanitised. So: stored.
    expect(await storedIdenticallyOrRejected(storage(), vcon, uuid)).toBe("stored");
    // The same document as JSON text (escaped \u0000) follows the same rule.
    const textUuid = randomUUID();
    const text = JSON.stringify({ ...vcon, uuid: textUuid });
    expect(await storedIdenticallyOrRejected(storage(), text, textUuid)).toBe("stored");
  });

  it("stores a signed (JWS) vCon whose parties hold \\u0000 identically", async () => {
    const uuid = randomUUID();
    const payload = Buffer.from(
      JSON.stringify({ ...smallVcon(uuid), parties: [{ tel: "+1\u00002" }] }),
    ).toString("base64url");
    const signed = {
      payload,
      signatures: [{ header: { uuid }, protected: "eyJhbGciOiJFUzI1NiJ9", signature: "c2ln" }],
    };
    expect(await storedIdenticallyOrRejected(storage(), signed, uuid)).toBe("stored");
  });

  it("handles lone surrogates (jsonb refuses \\ud800 escapes)", async () => {
    const uuid = randomUUID();
    const vcon = { ...smallVcon(uuid, "lone \ud800 high"), note: "lone \udfff low", "k\ud83d": "x" };
    expect(await storedIdenticallyOrRejected(storage(), vcon, uuid)).toBe("stored");
    const textUuid = randomUUID();
    const text = JSON.stringify({ ...vcon, uuid: textUuid });
    expect(await storedIdenticallyOrRejected(storage(), text, textUuid)).toBe("stored");
    // Raw lone surrogates in text are not well-formed Unicode: always VALIDATION.
    const rawUuid = randomUUID();
    const raw = `{"uuid":"${rawUuid}","subject":"\ud800"}`;
    await rejectsWith("VALIDATION", () => storage().save(raw));
    expect(await storage().get(rawUuid)).toBeNull();
  });

  it("stores well-formed astral characters and escapes identically", async () => {
    const uuid = randomUUID();
    const vcon = { ...smallVcon(uuid, "emoji 😀 and 中文 and \u2028\u2029"), tab: '\t\n\r\b\f\\"' };
    expect(await storedIdenticallyOrRejected(storage(), vcon, uuid)).toBe("stored");
  });

  it("rejects 10,000 levels of nesting with VALIDATION, as an object and as text", async () => {
    const uuid = randomUUID();
    let deep: unknown = "bottom";
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    await rejectsWith("VALIDATION", () => storage().save({ ...smallVcon(uuid), deep } as never));
    const text = `{"uuid":"${uuid}","deep":${"[".repeat(10_000)}${"]".repeat(10_000)}}`;
    await rejectsWith("VALIDATION", () => storage().save(text));
    expect(await storage().get(uuid)).toBeNull();
  });

  it("stores a document nested just inside the depth limit identically", async () => {
    const uuid = randomUUID();
    let deep: unknown = "bottom";
    // The document itself is level 1 and `deep` adds one: stay one short of the limit.
    for (let i = 0; i < DEFAULT_LIMITS.maxDepth - 2; i++) deep = [deep];
    expect(await storedIdenticallyOrRejected(storage(), { ...smallVcon(uuid), deep }, uuid)).toBe("stored");
  });

  it("rejects a 64 MB document with VALIDATION naming the size limit", async () => {
    const uuid = randomUUID();
    const huge = { ...smallVcon(uuid), blob: "x".repeat(64 * 1024 * 1024) };
    const error = await rejectsWith("VALIDATION", () => storage().save(huge));
    expect(error.message).toContain(String(DEFAULT_LIMITS.maxDocumentBytes));
    expect(await storage().get(uuid)).toBeNull();
  });

  it("stores an 8 MiB document identically", async () => {
    const uuid = randomUUID();
    const big = { ...smallVcon(uuid), blob: "ab\u00e9😀".repeat(1024 * 1024) };
    expect(await storedIdenticallyOrRejected(storage(), big, uuid)).toBe("stored");
  });

  it("rejects circular references, BigInt, undefined, functions, symbols and NaN with VALIDATION", async () => {
    const circular: Record<string, unknown> = smallVcon();
    circular.self = circular;
    const cases: Array<Record<string, unknown>> = [
      circular,
      { ...smallVcon(), big: 10n },
      { ...smallVcon(), missing: undefined },
      { ...smallVcon(), fn: () => 1 },
      { ...smallVcon(), sym: Symbol("s") },
      { ...smallVcon(), nan: Number.NaN },
      { ...smallVcon(), date: new Date() },
      { ...smallVcon(), list: [1, undefined, 3] },
    ];
    const before = (await allDocuments(storage())).length;
    for (const input of cases) await rejectsWith("VALIDATION", () => storage().save(input as never));
    expect((await allDocuments(storage())).length).toBe(before);
  });

  it("stores keys named __proto__, constructor and prototype as plain data, without pollution", async () => {
    const uuid = randomUUID();
    const text = `{"uuid":"${uuid}","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"parties":[{"__proto__":{"tel":"+1"},"name":"p"}]}`;
    await storage().save(text);
    const read = (await storage().get(uuid)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
    expect(Object.hasOwn(read, "__proto__")).toBe(true);
    expect(Object.getOwnPropertyDescriptor(read, "__proto__")?.value).toEqual({ polluted: true });
    expect(read.constructor).toEqual({ prototype: { polluted: true } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(read)).toContain('"__proto__":{"polluted":true}');
  });
});
