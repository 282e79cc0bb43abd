import {
  type IndexedRecord,
  matchesQuery,
  type NormalizedSearchQuery,
  type PreparedVcon,
  prepareVcon,
  searchTextOf,
  tagsOf,
  tagTerms,
} from "@vcon/storage-core/adapter";

/**
 * Stands in a stored key for every code unit PostgreSQL text cannot hold (NUL, a lone surrogate) and
 * for itself, and separates the pieces of joined keys. A filter without it compares exactly as core's
 * reference matcher does; a filter with it (a noncharacter: no real text has one) is answered by the
 * database as a superset and rechecked in JS.
 */
export const KEY_BREAK = "\uFFFF";

const UNSTORABLE = /[\0\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `value` as a stored key: what PostgreSQL cannot hold becomes KEY_BREAK. */
export function keyText(value: string): string {
  return value.isWellFormed() && !/[\0\uFFFF]/.test(value) ? value : value.replace(UNSTORABLE, KEY_BREAK);
}

/** The search keys of one vCon, in the order of the key columns. */
export interface SearchKeys {
  tels: string[];
  mailtos: string[];
  partyNames: string;
  subjectKey: string | null;
  searchText: string;
  tags: string[];
}

export function searchKeys(vcon: PreparedVcon): SearchKeys {
  const tels: string[] = [];
  const mailtos: string[] = [];
  const names: string[] = [];
  for (const party of vcon.parties) {
    if (party.tel !== undefined) tels.push(keyText(party.tel));
    if (party.mailto !== undefined) mailtos.push(keyText(party.mailto.toLowerCase()));
    if (party.name !== undefined) names.push(keyText(party.name.toLowerCase()));
  }
  return {
    tels,
    mailtos,
    partyNames: names.join(KEY_BREAK),
    subjectKey: vcon.subject === null ? null : keyText(vcon.subject.toLowerCase()),
    searchText: searchTextOf(vcon)
      .map((piece) => keyText(piece.toLowerCase()))
      .join(KEY_BREAK),
    tags: tagTerms(tagsOf(vcon)).map(keyText),
  };
}

/** A PostgreSQL array literal (`{"a","b"}`) of `values`: how key arrays travel in COPY and unnest. */
export function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(",")}}`;
}

/** The key filters of a query, as the database compares them. */
export type KeyFilters = Pick<NormalizedSearchQuery, "tel" | "mailto" | "name" | "subject" | "text" | "tags">;

/** The query's key filters as stored keys, and whether the database's answer must be rechecked. */
export function keyFilters(query: Partial<KeyFilters>): {
  filters: Partial<KeyFilters>;
  /** Some filter holds KEY_BREAK: the database's answer is a superset. */
  recheck: boolean;
  /** Some key filter applies at all. */
  any: boolean;
} {
  const filters: Partial<KeyFilters> = {};
  let recheck = false;
  const key = (value: string) => {
    const stored = keyText(value);
    if (stored.includes(KEY_BREAK)) recheck = true;
    return stored;
  };
  if (query.tel !== undefined) filters.tel = key(query.tel);
  if (query.mailto !== undefined) filters.mailto = key(query.mailto);
  if (query.name !== undefined) filters.name = key(query.name);
  if (query.subject !== undefined) filters.subject = key(query.subject);
  if (query.text !== undefined) filters.text = key(query.text);
  if (query.tags !== undefined && query.tags.length > 0) filters.tags = query.tags.map(key);
  return { filters, recheck, any: Object.keys(filters).length > 0 };
}

/**
 * Core's reference answer for one stored document: for rows the database could not decide exactly
 * (no keys yet, or a filter holding KEY_BREAK). A document core cannot read matches nothing.
 */
export function matchesStored(body: string, query: Partial<KeyFilters>): boolean {
  let vcon: PreparedVcon;
  try {
    vcon = prepareVcon(body);
  } catch {
    return false;
  }
  const record: IndexedRecord = {
    uuid: vcon.uuid,
    createdAtMs: 0,
    subject: vcon.subject,
    parties: vcon.parties,
    text: searchTextOf(vcon),
    tags: tagsOf(vcon),
  };
  return matchesQuery(record, query);
}
