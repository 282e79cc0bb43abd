import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeKey } from "../src/search-keys.js";

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

describe("encodeKey", () => {
  it("equals the per-code-unit encoding for every BMP code unit, surrogates included", () => {
    const mismatches: number[] = [];
    for (let unit = 0; unit < 0x10000; unit++) {
      const text = `a${String.fromCharCode(unit)}z`;
      if (!encodeKey(text).equals(perCodeUnit(text))) mismatches.push(unit);
    }
    expect(mismatches).toStrictEqual([]);
    for (const text of ["😀", "a\ud800b", "x\udfff", "𝒜bc", "\ud83d"])
      expect(encodeKey(text)).toStrictEqual(perCodeUnit(text));
  });

  it("never writes 0xFF, the separator of joined substring rows", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), (text) => !encodeKey(text).includes(0xff)));
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
        expect(encodeKey(haystack).includes(encodeKey(needle))).toBe(haystack.includes(needle));
        expect(encodeKey(haystack).equals(encodeKey(needle))).toBe(haystack === needle);
      }),
      { numRuns: 2000 },
    );
  });
});
