/**
 * The exact filter semantics of core's reference matcher (`matchesQuery`): `tel` compares UTF-16 code
 * units exactly; `mailto` equals and `name`/`subject` contain the filter after JS `toLowerCase` of both
 * sides; nothing is trimmed, padded, normalised (NFC/NFD/NFKC) or folded (accents, width, locale).
 * The positive tests elsewhere check that values are found; these check that values the reference
 * does NOT match are not found either: a fixed table of the classic collation traps, then generated
 * near misses. Every expectation is computed with `matchesQuery`, so the table states inputs only.
 */
import fc from "fast-check";
import { describe, expect } from "vitest";
import { prepareVcon } from "../../document.js";
import { isStorageError } from "../../errors.js";
import { matchesQuery, normalizeSearchQuery } from "../../query.js";
import type { VconStorage } from "../../storage.js";
import type { Vcon } from "../../types.js";
import { uuidOfItem } from "../assertions.js";
import type { SuiteContext } from "../context.js";
import { randomVconUuid, uniqueTel, uniqueToken } from "../fixtures.js";

type Field = "tel" | "mailto" | "name" | "subject";

/** A stored value, a filter value, and the trap they set for a database's collation. */
type Trap = [field: Field, stored: string, query: string, trap: string];

export const COLLATION_TRAPS: readonly Trap[] = [
  ["tel", "+15551234567 ", "+15551234567", "trailing space (PAD SPACE collations ignore it)"],
  ["tel", "+15551234567", "+15551234567 ", "trailing space in the filter"],
  ["tel", " +15551234567", "+15551234567", "leading space (nothing is trimmed)"],
  ["tel", "sip:Alice@Example.com", "sip:alice@example.com", "tel is case-sensitive"],
  ["tel", "\uFF0B\uFF11\uFF15\uFF15\uFF15", "+1555", "full-width digits (no NFKC folding)"],
  ["tel", "+1555\u00A0123", "+1555 123", "no-break space is not a space"],
  ["tel", "+1555\uD800", "+1555\uFFFD", "a lone surrogate must not become U+FFFD"],
  ["tel", "+1555e\u0301", "+1555\u00E9", "NFD is not NFC"],
  ["tel", "+15551234567", "+15551234567", "the same value matches"],
  ["mailto", "Erin@Example.ORG", "erin@example.org", "mailto ignores case"],
  ["mailto", "erin@example.org ", "erin@example.org", "trailing space (PAD SPACE)"],
  ["mailto", "\u0130nfo@example.com", "info@example.com", "dotted capital I lowers to i + U+0307"],
  ["mailto", "\u0130nfo@example.com", "\u0130NFO@EXAMPLE.COM", "dotted capital I on both sides"],
  ["mailto", "STRASSE@example.de", "stra\u00DFe@example.de", "sharp s is not ss"],
  ["mailto", "\uFF21\uFF22\uFF23@example.com", "abc@example.com", "full-width letters (no NFKC)"],
  ["mailto", "\u212A@example.com", "k@example.com", "Kelvin sign lowers to k in JS"],
  ["mailto", "jos\u00E9@example.com", "jose@example.com", "accents are kept"],
  ["name", "Stra\u00DFe", "STRASSE", "sharp s is not ss (no case folding beyond toLowerCase)"],
  ["name", "Stra\u00DFe", "STRA\u00DFE", "sharp s on both sides"],
  ["name", "\u1E9E", "\u00DF", "capital sharp s lowers to sharp s"],
  ["name", "\u0130stanbul", "istanbul", "dotted capital I lowers to i + U+0307"],
  ["name", "\u0130stanbul", "\u0130STANBUL", "dotted capital I on both sides"],
  ["name", "\u0131stanbul", "istanbul", "dotless i is not i"],
  ["name", "ISTANBUL", "\u0131", "no Turkish locale: I lowers to i, not dotless i"],
  [
    "name",
    "\u039F\u0394\u039F\u03A3",
    "\u03BF\u03B4\u03BF\u03C3",
    "final sigma: JS lowers a final capital sigma to \u03C2",
  ],
  ["name", "\u039F\u0394\u039F\u03A3", "\u039F\u0394\u039F\u03A3", "final sigma on both sides"],
  ["name", "\u03BF\u03B4\u03BF\u03C2", "\u03C3", "final and medial sigma differ"],
  ["name", "Jos\u00E9", "jose", "accents are kept"],
  ["name", "Jose", "jos\u00E9", "accents are not added"],
  ["name", "JOS\u00C9", "jos\u00E9", "accented capitals lower"],
  ["name", "Zo\u00EB", "zoe\u0308", "NFC is not NFD"],
  ["name", "Zoe\u0308", "zo\u00EB", "NFD is not NFC"],
  ["name", "\uFF21\uFF22\uFF23", "abc", "full-width is not ASCII (no NFKC)"],
  ["name", "\uFF21\uFF22\uFF23", "\uFF41\uFF42\uFF43", "full-width lowers to full-width"],
  ["name", "\uFB01nance", "fin", "the fi ligature is one code unit"],
  ["name", "a\uD800b", "a\uFFFDb", "a lone surrogate must not become U+FFFD"],
  ["name", "a\uFFFDb", "a\uFFFDb", "U+FFFD itself matches"],
  ["name", "Ann", "ann ", "a trailing space in the filter is kept"],
  ["subject", "Re: Stra\u00DFe", "strasse", "sharp s is not ss"],
  ["subject", "\u039F\u0394\u039F\u03A3", "\u03BF\u03B4\u03BF\u03C3", "final sigma"],
  ["subject", "Caf\u00E9", "cafe", "accents are kept"],
  ["subject", "\uFF21", "a", "full-width (no NFKC)"],
  ["subject", "x\uDBFFy", "x\uFFFDy", "a lone surrogate must not become U+FFFD"],
  ["subject", "Subject  ", "subject  ", "spaces are kept and matched"],
];

const SEMANTICS =
  "match as core's matchesQuery does: tel equal code unit for code unit; mailto equal and name/subject " +
  "a substring after JS toLowerCase of both sides; no trimming, padding, normalisation (NFC/NFD/NFKC), " +
  "accent, width or locale folding. In SQL: compare values lowered in JS at write time, in a binary " +
  'collation (utf8mb4_bin, COLLATE "C"), with LIKE wildcards escaped';

/** The document that holds `value` in `field`, scoped by another filter so only it can match. */
function documentWith(field: Field, value: string, scope: { tel: string; mailto: string }): Vcon {
  const uuid = randomVconUuid();
  if (field === "tel") return { uuid, parties: [{ tel: value, mailto: scope.mailto }] };
  if (field === "subject") return { uuid, subject: value, parties: [{ tel: scope.tel }] };
  return { uuid, parties: [{ tel: scope.tel, [field]: value }] };
}

function scopedQuery(field: Field, value: string, scope: { tel: string; mailto: string }) {
  return field === "tel" ? { tel: value, mailto: scope.mailto } : { [field]: value, tel: scope.tel };
}

/** What core's reference matcher answers for the document and the filter. */
function referenceMatches(document: Vcon, query: Record<string, string>): boolean {
  const prepared = prepareVcon(document);
  const record = { ...prepared, createdAtMs: prepared.createdAtMs ?? 0 };
  return matchesQuery(record, normalizeSearchQuery(query));
}

function newScope() {
  return { tel: uniqueTel(), mailto: `scope.${uniqueToken()}@example.test` };
}

/**
 * Saves a document with `stored` in `field`, searches for `query`, and returns a description of the
 * disagreement with the reference, or null. A document the storage refuses with VALIDATION (allowed
 * for lone surrogates, see the hostile input group) is not searched.
 */
async function disagreement(storage: VconStorage, field: Field, stored: string, query: string) {
  const scope = newScope();
  const document = documentWith(field, stored, scope);
  const filter = scopedQuery(field, query, scope);
  try {
    await storage.save(document);
  } catch (error) {
    if (isStorageError(error, "VALIDATION")) return null;
    throw error;
  }
  const expected = referenceMatches(document, filter);
  const found = (await storage.search(filter)).items.some((item) => uuidOfItem(item) === document.uuid);
  if (found === expected) return null;
  return `${field} stored ${JSON.stringify(stored)}, filter ${JSON.stringify(query)}: the reference says ${
    expected ? "match" : "no match"
  }, the adapter ${found ? "matched" : "did not match"}`;
}

const LONE_SURROGATE = /\p{Cs}/u;

const FIELDS: readonly Field[] = ["tel", "mailto", "name", "subject"];

/** Ways to turn a value into a near miss (or a hit) of itself. */
const NEAR_MISSES: ReadonlyArray<[string, (value: string) => string]> = [
  ["itself", (v) => v],
  ["upper case", (v) => v.toUpperCase()],
  ["lower case", (v) => v.toLowerCase()],
  ["trailing space", (v) => `${v} `],
  ["leading space", (v) => ` ${v}`],
  ["NFD", (v) => v.normalize("NFD")],
  ["NFC", (v) => v.normalize("NFC")],
  ["NFKC", (v) => v.normalize("NFKC")],
  ["accents stripped", (v) => v.normalize("NFD").replace(/\p{M}/gu, "")],
  ["first character dropped", (v) => [...v].slice(1).join("")],
  ["last character dropped", (v) => [...v].slice(0, -1).join("")],
  ["first character replaced by U+FFFD", (v) => `\uFFFD${[...v].slice(1).join("")}`],
];

export function searchSemanticsGroup(suite: SuiteContext): void {
  const group = "search semantics";
  describe(group, () => {
    for (const field of FIELDS) {
      const traps = COLLATION_TRAPS.filter(([trapField]) => trapField === field);
      suite.test(
        group,
        `${field}: collation traps answer as core's reference matcher`,
        async ({ open }) => {
          const storage = await open();
          const wrong: string[] = [];
          for (const [, stored, query, trap] of traps) {
            const found = await disagreement(storage, field, stored, query);
            if (found !== null) wrong.push(`${found} (${trap})`);
          }
          expect(
            wrong.length,
            `${field}: ${wrong.length} answer(s) differ from core's reference matcher:\n  ${wrong.join("\n  ")}\n${SEMANTICS}`,
          ).toBe(0);
        },
        { requires: "search", timeoutMs: 60_000 },
      );
    }

    suite.test(
      group,
      "generated near misses match exactly when core's reference matcher says so",
      async ({ open, options }) => {
        const storage = await open();
        const value = fc
          .string({ unit: "binary", minLength: 1, maxLength: 12 })
          .filter((s) => !s.includes("\u0000"));
        const case_ = fc.tuple(fc.constantFrom(...FIELDS), value, fc.constantFrom(...NEAR_MISSES));
        await fc.assert(
          fc.asyncProperty(case_, async ([field, stored, [how, nearMiss]]) => {
            const query = nearMiss(stored);
            // Filters are non-empty, and well-formed: a half surrogate pair is no text to search for.
            fc.pre(query.length > 0 && !LONE_SURROGATE.test(query));
            const found = await disagreement(storage, field, stored, query);
            expect(found, `${found} (the filter is the stored value, ${how}): ${SEMANTICS}`).toBeNull();
          }),
          { numRuns: options.propertyRuns },
        );
      },
      { requires: "search", timeoutMs: 120_000 },
    );
  });
}
