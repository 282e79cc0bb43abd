/**
 * Search keys for SQL adapters that keep them in a side table of binary values (`uuid, kind, value`),
 * compared byte for byte: exact filters with `=`, substring filters with the dialect's byte-position
 * function (`INSTR`, `instr`). Written once so every such adapter stores the same keys and answers as
 * core's reference matcher does; the SQL around them stays in each adapter.
 */
import type { NormalizedSearchQuery } from "./adapter.js";
import type { PreparedVcon } from "./document.js";
import { searchTextOf, tagsOf, tagTerms } from "./search-text.js";

/** What a side-table row says about its value: which filter reads it. */
export const SEARCH_KEY_KINDS = {
  tel: "t",
  mailto: "m",
  name: "n",
  subject: "s",
  text: "x",
  tag: "g",
} as const;
export type SearchKeyKind = (typeof SEARCH_KEY_KINDS)[keyof typeof SEARCH_KEY_KINDS];

/** One search key of one vCon, as stored in the side table. */
export interface SearchKey {
  kind: SearchKeyKind;
  value: Buffer;
}

/** One text filter of a query: the kind it reads, equality or substring, and the bytes to look for. */
export interface SearchKeyFilter {
  kind: SearchKeyKind;
  exact: boolean;
  value: Buffer;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * The bytes a search value is stored and compared as: each UTF-16 code unit encoded on its own, the
 * way UTF-8 encodes a code point (CESU-8 style). Core's reference compares JS strings by code unit,
 * including lone surrogates, which utf8mb4 and SQLite text cannot hold; this encoding is
 * self-synchronising, so a byte substring of two encodings is exactly a code-unit substring of the
 * strings, and byte equality is string equality. Compared as binary, no collation folds case, accents
 * or trailing spaces.
 */
export function encodeSearchKey(text: string): Buffer {
  // Without surrogates (no astral characters, no lone halves) this is exactly UTF-8: let Node encode it.
  if (!SURROGATE.test(text)) return Buffer.from(text, "utf8");
  const bytes = Buffer.allocUnsafe(text.length * 3);
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) {
      bytes[at++] = unit;
    } else if (unit < 0x800) {
      bytes[at++] = 0xc0 | (unit >> 6);
      bytes[at++] = 0x80 | (unit & 0x3f);
    } else {
      bytes[at++] = 0xe0 | (unit >> 12);
      bytes[at++] = 0x80 | ((unit >> 6) & 0x3f);
      bytes[at++] = 0x80 | (unit & 0x3f);
    }
  }
  return bytes.subarray(0, at);
}

/**
 * Separates the values of one substring row. Encoded text never holds 0xFF (encodeSearchKey writes
 * sequences of at most three bytes, whose lead bytes are below 0xF0), so no encoded query contains
 * it and no match can span two values: the reference's "a match never spans two pieces" holds.
 */
const SEPARATOR = Buffer.from([0xff]);

/** Substring rows are split at value boundaries once they reach this size (statements stay small). */
const SUBSTRING_ROW_BYTES = 1024 * 1024;

/**
 * The side-table rows of a vCon. Exact kinds (tel as given, mailto lower-cased, tag terms as given)
 * get one row per distinct value, for a (kind, value) index. Substring kinds (party names, subject
 * and the searchable-text pieces, lower-cased by JS: the reference semantics) get one row per kind
 * holding every value joined by a 0xFF byte, so a vCon with a long transcript writes a row, not
 * hundreds; a row is split at a value boundary past 1 MiB.
 */
export function searchKeysOf(vcon: PreparedVcon): SearchKey[] {
  const keys: SearchKey[] = [];
  const exact = (kind: SearchKeyKind, values: Iterable<string | undefined>) => {
    const seen = new Set<string>();
    for (const value of values) {
      if (value === undefined || seen.has(value)) continue;
      seen.add(value);
      keys.push({ kind, value: encodeSearchKey(value) });
    }
  };
  const substring = (kind: SearchKeyKind, values: Iterable<string | undefined>) => {
    let parts: Buffer[] = [];
    let size = 0;
    const seen = new Set<string>();
    for (const value of values) {
      if (value === undefined || seen.has(value)) continue;
      seen.add(value);
      const encoded = encodeSearchKey(value);
      if (parts.length > 0 && size + encoded.length > SUBSTRING_ROW_BYTES) {
        keys.push({ kind, value: Buffer.concat(parts) });
        parts = [];
        size = 0;
      }
      if (parts.length > 0) parts.push(SEPARATOR);
      parts.push(encoded);
      size += encoded.length + 1;
    }
    if (parts.length > 0) keys.push({ kind, value: Buffer.concat(parts) });
  };
  const parties = vcon.parties;
  exact(
    SEARCH_KEY_KINDS.tel,
    parties.map((p) => p.tel),
  );
  exact(
    SEARCH_KEY_KINDS.mailto,
    parties.map((p) => p.mailto?.toLowerCase()),
  );
  substring(
    SEARCH_KEY_KINDS.name,
    parties.map((p) => p.name?.toLowerCase()),
  );
  substring(SEARCH_KEY_KINDS.subject, [vcon.subject?.toLowerCase()]);
  substring(
    SEARCH_KEY_KINDS.text,
    searchTextOf(vcon).map((piece) => piece.toLowerCase()),
  );
  exact(SEARCH_KEY_KINDS.tag, tagTerms(tagsOf(vcon)));
  return keys;
}

/**
 * The text filters of a normalised query (whose mailto, name, subject and text core has already
 * lower-cased), each an EXISTS on the side table. Several tags must all be present (AND), so each is
 * a filter of its own.
 */
export function searchKeyFilters(
  query: Pick<NormalizedSearchQuery, "tel" | "mailto" | "name" | "subject" | "text" | "tags">,
): SearchKeyFilter[] {
  const filters: SearchKeyFilter[] = [];
  const add = (kind: SearchKeyKind, exact: boolean, value: string | undefined) => {
    if (value !== undefined) filters.push({ kind, exact, value: encodeSearchKey(value) });
  };
  add(SEARCH_KEY_KINDS.tel, true, query.tel);
  add(SEARCH_KEY_KINDS.mailto, true, query.mailto);
  add(SEARCH_KEY_KINDS.name, false, query.name);
  add(SEARCH_KEY_KINDS.subject, false, query.subject);
  add(SEARCH_KEY_KINDS.text, false, query.text);
  for (const tag of query.tags ?? []) add(SEARCH_KEY_KINDS.tag, true, tag);
  return filters;
}
