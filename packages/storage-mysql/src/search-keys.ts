import {
  type NormalizedSearchQuery,
  type PreparedVcon,
  searchTextOf,
  tagsOf,
  tagTerms,
} from "@vcon/storage-core/adapter";

/** What a side-table row says about its value: which filter reads it. */
export const KEY_KINDS = { tel: "t", mailto: "m", name: "n", subject: "s", text: "x", tag: "g" } as const;
export type KeyKind = (typeof KEY_KINDS)[keyof typeof KEY_KINDS];

/** One search key of one vCon, as stored in the side table. */
export interface SearchKey {
  kind: KeyKind;
  value: Buffer;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * The bytes a search value is stored and compared as: each UTF-16 code unit encoded on its own, the
 * way UTF-8 encodes a code point (CESU-8 style). Core's reference compares JS strings by code unit,
 * including lone surrogates, which utf8mb4 cannot hold; this encoding is self-synchronising, so a
 * byte substring of two encodings is exactly a code-unit substring of the strings, and byte equality
 * is string equality. Compared as binary, no collation folds case, accents or trailing spaces.
 */
export function encodeKey(text: string): Buffer {
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
 * Separates the values of one substring row. Encoded text never holds 0xFF (encodeKey writes
 * sequences of at most three bytes, whose lead bytes are below 0xF0), so no encoded query contains
 * it and no match can span two values: the reference's "a match never spans two pieces" holds.
 */
const SEPARATOR = Buffer.from([0xff]);

/** Substring rows are split at value boundaries once they reach this size (statements stay small). */
const SUBSTRING_ROW_BYTES = 1024 * 1024;

/**
 * The side-table rows of a vCon. Exact kinds (tel as given, mailto lower-cased, tag terms as given)
 * get one row per distinct value, for the (kind, value) index. Substring kinds (party names, subject
 * and the searchable-text pieces, lower-cased by JS: the reference semantics) get one row per kind
 * holding every value joined by SEPARATOR, so a vCon with a long transcript writes a row, not hundreds.
 */
export function searchKeys(vcon: PreparedVcon): SearchKey[] {
  const keys: SearchKey[] = [];
  const exact = (kind: KeyKind, values: Iterable<string | undefined>) => {
    const seen = new Set<string>();
    for (const value of values) {
      if (value === undefined || seen.has(value)) continue;
      seen.add(value);
      keys.push({ kind, value: encodeKey(value) });
    }
  };
  const substring = (kind: KeyKind, values: Iterable<string | undefined>) => {
    let parts: Buffer[] = [];
    let size = 0;
    const seen = new Set<string>();
    for (const value of values) {
      if (value === undefined || seen.has(value)) continue;
      seen.add(value);
      const encoded = encodeKey(value);
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
    KEY_KINDS.tel,
    parties.map((p) => p.tel),
  );
  exact(
    KEY_KINDS.mailto,
    parties.map((p) => p.mailto?.toLowerCase()),
  );
  substring(
    KEY_KINDS.name,
    parties.map((p) => p.name?.toLowerCase()),
  );
  substring(KEY_KINDS.subject, [vcon.subject?.toLowerCase()]);
  substring(
    KEY_KINDS.text,
    searchTextOf(vcon).map((piece) => piece.toLowerCase()),
  );
  exact(KEY_KINDS.tag, tagTerms(tagsOf(vcon)));
  return keys;
}

/** The text filters of a query, each with the kind it reads, whether it is exact, and its bytes. */
export function keyFilters(
  query: Pick<NormalizedSearchQuery, "tel" | "mailto" | "name" | "subject" | "text" | "tags">,
): Array<{ kind: KeyKind; exact: boolean; value: Buffer }> {
  const filters: Array<{ kind: KeyKind; exact: boolean; value: Buffer }> = [];
  if (query.tel !== undefined)
    filters.push({ kind: KEY_KINDS.tel, exact: true, value: encodeKey(query.tel) });
  if (query.mailto !== undefined)
    filters.push({ kind: KEY_KINDS.mailto, exact: true, value: encodeKey(query.mailto) });
  if (query.name !== undefined)
    filters.push({ kind: KEY_KINDS.name, exact: false, value: encodeKey(query.name) });
  if (query.subject !== undefined)
    filters.push({ kind: KEY_KINDS.subject, exact: false, value: encodeKey(query.subject) });
  if (query.text !== undefined)
    filters.push({ kind: KEY_KINDS.text, exact: false, value: encodeKey(query.text) });
  // Several tags: each must be present (AND), so each is a filter of its own.
  for (const tag of query.tags ?? [])
    filters.push({ kind: KEY_KINDS.tag, exact: true, value: encodeKey(tag) });
  return filters;
}
