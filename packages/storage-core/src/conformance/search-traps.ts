/**
 * Extra search checks for adapters that store search keys joined or encoded (see `searchKeysOf` in
 * `@vcon/storage-core/adapter`): call them from the adapter's own tests, each on a fresh, empty storage.
 * They are not part of `describeConformance`, whose search-semantics group covers the common traps.
 */
import { expect } from "vitest";
import type { SearchQuery } from "../adapter.js";
import { matchesQuery } from "../query.js";
import type { VconStorage } from "../storage.js";

/**
 * Values where SQL collations and core's reference disagree: PAD SPACE, accent and case folding,
 * special lower-casing, lone surrogates (utf8mb4 cannot hold them), split surrogate pairs, NFC/NFD,
 * LIKE wildcards and escapes. Each row is one stored value and one filter; the expected answer is
 * core's `matchesQuery`.
 */
export const SEARCH_TRAPS: ReadonlyArray<{ stored: string; filter: string }> = [
  { stored: "bob ", filter: "bob " },
  { stored: "bob", filter: "bob " },
  { stored: "bob  ", filter: "bob" },
  { stored: "José", filter: "jose" },
  { stored: "José", filter: "josé" },
  { stored: "Straße", filter: "strasse" },
  { stored: "STRASSE", filter: "straße" },
  { stored: "İstanbul", filter: "i̇stanbul" },
  { stored: "İstanbul", filter: "istanbul" },
  { stored: "ΟΔΥΣΣΕΥΣ", filter: "οδυσσευς" },
  { stored: "ΟΔΥΣΣΕΥΣ", filter: "οδυσσευσ" },
  { stored: "Ａｌｉｃｅ", filter: "alice" },
  { stored: "Ａｌｉｃｅ", filter: "ａｌｉｃｅ" },
  { stored: "a\uD800b", filter: "\uD800" },
  { stored: "a\uD800b", filter: "\uFFFD" },
  { stored: "a\uFFFDb", filter: "\uD800" },
  { stored: "smile 😀", filter: "\uD83D" },
  { stored: "smile 😀", filter: "😀" },
  { stored: "caf\u00E9", filter: "cafe\u0301" },
  { stored: "cafe\u0301", filter: "cafe\u0301" },
  { stored: "100%_done", filter: "%_" },
  { stored: "100 done", filter: "%" },
  { stored: "back\\slash", filter: "\\" },
  { stored: "tab\there", filter: "\t" },
  { stored: "nul\u0000byte", filter: "\u0000b" },
];

type Field = "name" | "subject" | "mailto" | "tel";

/**
 * Saves one vCon per trap (as subject, party name, mailto and tel at once) and checks that every
 * filter of each kind answers as the reference does; fails listing each disagreement.
 */
export async function expectReferenceAnswers(storage: VconStorage): Promise<void> {
  const fields: Field[] = ["name", "subject", "mailto", "tel"];
  const uuids = SEARCH_TRAPS.map((_, i) => `0194c3a2-7b1e-8f3d-9a2c-${String(i).padStart(12, "0")}`);
  await storage.saveMany(
    SEARCH_TRAPS.map(({ stored }, i) => ({
      uuid: uuids[i]!,
      created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      subject: stored,
      parties: [{ name: stored, mailto: stored, tel: stored }],
    })),
  );
  const mismatches: string[] = [];
  for (const field of fields) {
    for (const [i, { stored, filter }] of SEARCH_TRAPS.entries()) {
      const query = { [field]: filter } as SearchQuery;
      const normalized = { [field]: field === "tel" ? filter : filter.toLowerCase() };
      const record = {
        uuid: uuids[i]!,
        createdAtMs: 0,
        subject: stored,
        parties: [{ name: stored, mailto: stored, tel: stored }],
      };
      const expected = matchesQuery(record, normalized);
      const page = await storage.search({ ...query, limit: 1000 });
      const found = page.items.some((item) => item.uuid === uuids[i]);
      if (found !== expected)
        mismatches.push(
          `${field} ${JSON.stringify(stored)} ~ ${JSON.stringify(filter)}: got ${found}, reference ${expected}`,
        );
    }
  }
  expect(mismatches, "searches that disagree with core's reference").toStrictEqual([]);
}

/**
 * Names, and text pieces, may be stored joined in one row: a match must never span two of them.
 * Needs `searchText`.
 */
export async function expectNoMatchAcrossValues(storage: VconStorage): Promise<void> {
  const uuid = "0194c3a2-7b1e-8f3d-9a2c-0000000a0b0c";
  await storage.save({
    uuid,
    subject: "Ann",
    parties: [{ name: "Ann" }, { name: "Bob" }],
    dialog: [
      { type: "text", body: "first piece", start: "2026-01-01T00:00:00Z", parties: [0] },
      { type: "text", body: "second piece", start: "2026-01-01T00:00:01Z", parties: [1] },
    ],
  });
  const found = async (query: SearchQuery) => (await storage.search(query)).items.map((v) => v.uuid);
  expect(await found({ name: "ann" })).toStrictEqual([uuid]);
  expect(await found({ name: "bob" })).toStrictEqual([uuid]);
  expect(await found({ name: "nb" })).toStrictEqual([]);
  expect(await found({ name: "annbob" })).toStrictEqual([]);
  expect(await found({ text: "piece" })).toStrictEqual([uuid]);
  expect(await found({ text: "piecesecond" })).toStrictEqual([]);
  expect(await found({ text: "ce se" })).toStrictEqual([]);
}
