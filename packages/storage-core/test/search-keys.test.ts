import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  encodeSearchKey,
  normalizeSearchQuery,
  prepareVcon,
  SEARCH_KEY_KINDS,
  searchKeyFilters,
  searchKeysOf,
} from "../src/adapter-kit.js";

/** The definition: each UTF-16 code unit encoded on its own the way UTF-8 encodes a code point. */
function perCodeUnit(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes.push(unit);
    else if (unit < 0x800) bytes.push(0xc0 | (unit >> 6), 0x80 | (unit & 0x3f));
    else bytes.push(0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f));
  }
  return Buffer.from(bytes);
}

const UUID = "0194c3a2-7b1e-8f3d-9a2c-00000000beef";

describe("encodeSearchKey", () => {
  it("equals the per-code-unit encoding for every BMP code unit, surrogates included", () => {
    const mismatches: number[] = [];
    for (let unit = 0; unit < 0x10000; unit++) {
      const text = `a${String.fromCharCode(unit)}z`;
      if (!encodeSearchKey(text).equals(perCodeUnit(text))) mismatches.push(unit);
    }
    expect(mismatches).toStrictEqual([]);
    for (const text of ["😀", "a\ud800b", "x\udfff", "𝒜bc", "\ud83d"])
      expect(encodeSearchKey(text)).toStrictEqual(perCodeUnit(text));
  });

  it("never writes 0xFF, the separator of joined substring rows", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), (text) => !encodeSearchKey(text).includes(0xff)));
  });

  it("byte substring is exactly code-unit substring, and byte equality string equality", () => {
    const unit = fc.constantFrom(
      "a",
      "A",
      "é",
      "ß",
      "\ud800",
      "\udc00",
      "\ud83d",
      "\ude00",
      "€",
      " ",
      "\u0000",
    );
    const text = fc.array(unit, { maxLength: 8 }).map((units) => units.join(""));
    fc.assert(
      fc.property(text, text, (haystack, needle) => {
        expect(encodeSearchKey(haystack).includes(encodeSearchKey(needle))).toBe(haystack.includes(needle));
        expect(encodeSearchKey(haystack).equals(encodeSearchKey(needle))).toBe(haystack === needle);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("searchKeysOf", () => {
  const rows = (vcon: unknown) =>
    searchKeysOf(prepareVcon(vcon)).map(({ kind, value }) => [kind, value.toString("latin1")]);
  const utf8 = (text: string) => Buffer.from(text, "utf8").toString("latin1");

  it("one row per distinct exact value; substring kinds lower-cased and joined by 0xFF in one row", () => {
    const keys = rows({
      uuid: UUID,
      subject: "Refund",
      parties: [
        { tel: "+1555", mailto: "Ann@Example.com", name: "Ann" },
        { tel: "+1555", mailto: "bob@example.com", name: "BOB" },
      ],
    });
    expect(keys).toStrictEqual([
      ["t", "+1555"],
      ["m", "ann@example.com"],
      ["m", "bob@example.com"],
      ["n", "ann\u00ffbob"],
      ["s", "refund"],
      ["x", "refund\u00ffann\u00ffbob"],
    ]);
  });

  it("keeps tel as given and tags as their terms", () => {
    const keys = rows({
      uuid: UUID,
      parties: [{ tel: "SIP:Ann " }],
      attachments: [{ purpose: "tags", encoding: "json", body: JSON.stringify(["Customer:Acme"]) }],
    });
    expect(keys.filter(([kind]) => kind === "t")).toStrictEqual([["t", "SIP:Ann "]]);
    expect(keys.filter(([kind]) => kind === "g").length).toBeGreaterThan(0);
    expect(keys.filter(([kind]) => kind === "g").map(([, value]) => value)).toContain(utf8("Customer:Acme"));
  });

  it("splits a substring row at a value boundary past 1 MiB, never inside a value", () => {
    const piece = (n: number) => `${String(n).padStart(4, "0")}${"w".repeat(300 * 1024)}`;
    const body = [0, 1, 2, 3, 4].map(piece);
    const keys = searchKeysOf(
      prepareVcon({
        uuid: UUID,
        parties: [],
        dialog: body.map((text, i) => ({
          type: "text",
          body: text,
          start: `2026-01-01T00:00:0${i}Z`,
          parties: [],
        })),
      }),
    ).filter((key) => key.kind === SEARCH_KEY_KINDS.text);
    expect(keys.length).toBe(2);
    for (const key of keys) expect(key.value.length).toBeLessThanOrEqual(1024 * 1024);
    const values = keys.flatMap((key) => key.value.toString("utf8").split("\uFFFD"));
    expect(values).toStrictEqual(body);
  });
});

describe("searchKeyFilters", () => {
  it("one filter per text field and one per tag, exact or substring, as encoded bytes", () => {
    // Tags reach adapters already split into distinct terms (the facade does it), so they are given here.
    const query = {
      ...normalizeSearchQuery({
        tel: "+1555",
        mailto: "Ann@Example.com",
        name: "AN",
        subject: "Re",
        text: "REFUND",
      }),
      tags: ["a:1", "b:2"],
    };
    const filters = searchKeyFilters(query).map(({ kind, exact, value }) => [kind, exact, value.toString()]);
    expect(filters).toStrictEqual([
      ["t", true, "+1555"],
      ["m", true, "ann@example.com"],
      ["n", false, "an"],
      ["s", false, "re"],
      ["x", false, "refund"],
      ["g", true, "a:1"],
      ["g", true, "b:2"],
    ]);
    expect(searchKeyFilters(normalizeSearchQuery({}))).toStrictEqual([]);
  });
});
