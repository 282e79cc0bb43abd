import { describe, expect, it } from "vitest";
import {
  emailThread,
  encryptedVcon,
  externalRecordingCall,
  signedVcon,
} from "../src/conformance/fixtures.js";
import { DEFAULT_LIMITS, prepareVcon, type StorageError, vconUuidOf } from "../src/index.js";
import { HAVE_SAMPLES, readSamples } from "./samples.js";

const UUID = "0190f1c2-8a3b-7cde-9f01-23456789abcd";

function rejection(
  input: unknown,
  limits = DEFAULT_LIMITS,
): StorageError & { issues: Array<{ path: string; message: string }> } {
  try {
    prepareVcon(input, limits);
  } catch (error) {
    expect(error).toMatchObject({ code: "VALIDATION" });
    return error as never;
  }
  return expect.fail("expected VALIDATION");
}

describe("prepareVcon: what storage receives", () => {
  it("extracts uuid, created_at, subject and party keys of an unsigned vCon", () => {
    const prepared = prepareVcon(emailThread(UUID.toUpperCase()));
    expect(prepared).toMatchObject({
      uuid: UUID,
      form: "unsigned",
      createdAt: "2024-01-15T12:30:00.250+00:00",
      createdAtMs: Date.parse("2024-01-15T12:30:00.250Z"),
      subject: "Account problem",
      parties: [
        { mailto: "erin@example.org", name: "Erin" },
        { mailto: "frank@example.com", name: "Frank" },
      ],
    });
    expect(prepared.bytes).toBe(Buffer.byteLength(prepared.json));
  });

  it("keeps JSON text byte for byte", () => {
    const text = `{ "uuid" : "${UUID}",\n  "z": 1, "a": "é" }`;
    const prepared = prepareVcon(text);
    expect(prepared.json).toBe(text);
    expect(prepared.bytes).toBe(Buffer.byteLength(text));
  });

  it("reads the signed form's uuid from the header and its index keys from the payload", () => {
    const prepared = prepareVcon(signedVcon(UUID, { tel: "+1999" }));
    expect(prepared.form).toBe("signed");
    expect(prepared.uuid).toBe(UUID);
    expect(prepared.parties[0]).toMatchObject({ tel: "+1999" });
    expect(prepared.subject).toBe("Billing question");
  });

  it("reads the encrypted form's uuid from unprotected and indexes nothing else", () => {
    const prepared = prepareVcon(encryptedVcon(UUID));
    expect(prepared).toMatchObject({
      form: "encrypted",
      uuid: UUID,
      parties: [],
      subject: null,
      createdAt: null,
    });
  });

  it("ignores party entries that are not objects and party fields that are not strings", () => {
    const prepared = prepareVcon({ uuid: UUID, parties: [null, 7, { tel: 5, name: "N" }] });
    expect(prepared.parties).toStrictEqual([{ name: "N" }]);
  });

  it("vconUuidOf finds the uuid of every form, or null", () => {
    expect(vconUuidOf(externalRecordingCall(UUID))).toBe(UUID);
    expect(vconUuidOf(signedVcon(UUID))).toBe(UUID);
    expect(vconUuidOf(encryptedVcon(UUID))).toBe(UUID);
    expect(vconUuidOf({})).toBeNull();
    expect(vconUuidOf("x")).toBeNull();
  });
});

describe("prepareVcon: hostile input is rejected with VALIDATION and a path", () => {
  it("not an object", () => {
    for (const value of [null, undefined, 1, "1", true, [], "[]", "null", new Date(0)]) {
      expect(rejection(value).issues[0]!.path).toBe("$");
    }
  });

  it("missing or malformed uuid", () => {
    expect(rejection({}).issues).toStrictEqual([
      { path: "$.uuid", message: "a uuid is required to store a vCon" },
    ]);
    expect(rejection({ uuid: "x" }).issues[0]!.message).toContain("not a valid uuid");
    expect(rejection({ payload: "e30", signatures: [{}] }).issues[0]!.path).toBe(
      "$.signatures[0].header.uuid",
    );
    expect(rejection({ ciphertext: "x" }).issues[0]!.path).toBe("$.unprotected.uuid");
  });

  it("bad created_at", () => {
    expect(rejection({ uuid: UUID, created_at: "tuesday" }).issues[0]!.path).toBe("$.created_at");
    expect(rejection({ uuid: UUID, created_at: 5 }).issues[0]!.path).toBe("$.created_at");
  });

  it("circular references", () => {
    const document: Record<string, unknown> = { uuid: UUID, parties: [] };
    (document.parties as unknown[]).push({ back: document });
    expect(rejection(document).issues).toStrictEqual([
      { path: "$.parties[0].back", message: "circular reference" },
    ]);
  });

  it("a shared (non-circular) object is fine", () => {
    const shared = { tel: "+1" };
    expect(prepareVcon({ uuid: UUID, parties: [shared, shared] }).json).toContain(
      '[{"tel":"+1"},{"tel":"+1"}]',
    );
  });

  it("BigInt, undefined, functions, symbols, NaN, Infinity and class instances", () => {
    const values = {
      a: 1n,
      b: undefined,
      c: () => 1,
      d: Symbol("x"),
      e: Number.NaN,
      f: -Infinity,
      g: new Map(),
      h: new Date(),
    };
    const paths = rejection({ uuid: UUID, ...values })
      .issues.map((issue) => issue.path)
      .sort();
    expect(paths).toStrictEqual(["$.a", "$.b", "$.c", "$.d", "$.e", "$.f", "$.g", "$.h"]);
  });

  it("10,000 levels of nesting, as an object or as text, without a stack overflow", () => {
    let nested: unknown = 1;
    for (let i = 0; i < 10_000; i++) nested = [nested];
    expect(rejection({ uuid: UUID, nested }).issues[0]!.message).toContain("256");
    const text = `{"uuid":"${UUID}","n":${"[".repeat(10_000)}${"]".repeat(10_000)}}`;
    expect(rejection(text).issues[0]!.message).toContain("256");
  });

  it("documents over the size limit, before parsing text", () => {
    const limits = { maxDocumentBytes: 1024, maxDepth: 256 };
    expect(rejection({ uuid: UUID, body: "x".repeat(2000) }, limits).message).toContain("over the limit");
    expect(rejection(`{"uuid":"${UUID}","body":"${"é".repeat(600)}"}`, limits).message).toContain(
      "over the limit",
    );
  });

  it("a lone surrogate in text; escaped in JSON it is kept", () => {
    expect(rejection(`{"uuid":"${UUID}","s":"\uD800"}`).message).toContain("lone surrogate");
    expect(prepareVcon(`{"uuid":"${UUID}","s":"\\ud800"}`).document).toMatchObject({ s: "\uD800" });
    expect(JSON.parse(prepareVcon({ uuid: UUID, s: "\uDC00" }).json)).toStrictEqual({
      uuid: UUID,
      s: "\uDC00",
    });
  });

  it("invalid JSON text", () => {
    for (const text of ["", "{", "{'a':1}", '{"a":1} x']) expect(rejection(text).issues[0]!.path).toBe("$");
  });

  it("__proto__ and constructor keys stay data and pollute nothing", () => {
    const text = `{"uuid":"${UUID}","__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}`;
    const prepared = prepareVcon(text);
    expect(Object.hasOwn(prepared.document, "__proto__")).toBe(true);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(prepareVcon(prepared.document).json).toBe(text.replaceAll(" ", ""));
  });

  it("reports at most 20 issues for a hostile document", () => {
    const many = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, undefined]));
    expect(rejection({ uuid: UUID, ...many }).issues.length).toBeLessThanOrEqual(21);
  });
});

describe.skipIf(!HAVE_SAMPLES)("prepareVcon: the IETF draft samples", () => {
  for (const { file, text } of readSamples()) {
    const hasUuid = !["ab.vcon", "simple-vcon.vcon"].includes(file);
    it(`${file} is ${hasUuid ? "accepted with its uuid" : "refused: no uuid"}`, () => {
      if (!hasUuid) {
        expect(rejection(text).issues.map((issue) => issue.path)).toStrictEqual(["$.uuid"]);
        return;
      }
      const prepared = prepareVcon(text);
      expect(prepared.json).toBe(text);
      expect(prepared.uuid).toMatch(/^[0-9a-f-]{36}$/);
    });
  }
});
