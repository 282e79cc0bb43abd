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

/**
 * The bytes a search value is stored and compared as: each UTF-16 code unit encoded on its own, the
 * way UTF-8 encodes a code point (CESU-8 style). Core's reference compares JS strings by code unit,
 * including lone surrogates, which utf8mb4 cannot hold; this encoding is self-synchronising, so a
 * byte substring of two encodings is exactly a code-unit substring of the strings, and byte equality
 * is string equality. Compared as binary, no collation folds case, accents or trailing spaces.
 */
export function encodeKey(text: string): Buffer {
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
 * The side-table rows of a vCon: tel as given, mailto / name / subject and the searchable-text pieces
 * lower-cased by JS (the reference semantics), tag terms as given; one row per distinct value, so an
 * update can clear and rewrite them.
 */
export function searchKeys(vcon: PreparedVcon): SearchKey[] {
  const seen = new Set<string>();
  const keys: SearchKey[] = [];
  const add = (kind: KeyKind, text: string | undefined) => {
    if (text === undefined || seen.has(kind + text)) return;
    seen.add(kind + text);
    keys.push({ kind, value: encodeKey(text) });
  };
  for (const party of vcon.parties) {
    add(KEY_KINDS.tel, party.tel);
    add(KEY_KINDS.mailto, party.mailto?.toLowerCase());
    add(KEY_KINDS.name, party.name?.toLowerCase());
  }
  add(KEY_KINDS.subject, vcon.subject?.toLowerCase());
  for (const piece of searchTextOf(vcon)) add(KEY_KINDS.text, piece.toLowerCase());
  for (const term of tagTerms(tagsOf(vcon))) add(KEY_KINDS.tag, term);
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
