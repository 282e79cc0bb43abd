/**
 * What text and tag search look at, defined once so every adapter agrees: scan adapters match with
 * these functions, database adapters store what they return and compare with the same rules.
 */
import { type PreparedVcon, vconContent } from "./document.js";
import { isPlainObject } from "./json-safety.js";

/**
 * Shortest `text` filter. Two characters match a large share of any transcript, and trigram indexes
 * (what database adapters use to serve substring search) need three characters to narrow anything.
 */
export const MIN_TEXT_FILTER_LENGTH = 3;

/**
 * A vCon's searchable text, as separate pieces: the subject, every party's name, the bodies of `text`
 * dialogs that are not encoded, and analysis bodies (unencoded strings, and every string value inside a
 * `json`-encoded body). Signed vCons use their payload; encrypted vCons have none. A match never spans
 * two pieces, so adapters may store them joined only with a separator no query can contain.
 */
export function vconSearchText(document: Record<string, unknown>): string[] {
  const content = vconContent(document);
  if (content === null) return [];
  const pieces: string[] = [];
  if (typeof content.subject === "string") pieces.push(content.subject);
  for (const party of records(content.parties)) {
    if (typeof party.name === "string") pieces.push(party.name);
  }
  for (const dialog of records(content.dialog)) {
    if (dialog.type === "text" && isUnencoded(dialog.encoding) && typeof dialog.body === "string")
      pieces.push(dialog.body);
  }
  for (const analysis of records(content.analysis)) collectAnalysisText(analysis, pieces);
  return pieces;
}

/**
 * A vCon's tags: the string entries of its tags attachment (`purpose` or legacy `type` equal to
 * `"tags"`; the body a JSON array, inline or as `json`-encoded text), e.g. `["customer:acme", "vip"]`.
 * In document order, duplicates removed.
 */
export function vconTags(document: Record<string, unknown>): string[] {
  const content = vconContent(document);
  if (content === null) return [];
  const tags = new Set<string>();
  for (const attachment of records(content.attachments)) {
    if (attachment.purpose !== "tags" && attachment.type !== "tags") continue;
    for (const entry of tagEntries(attachment)) tags.add(entry);
  }
  return [...tags];
}

/**
 * The terms a tag filter is looked up by: every entry, plus the key of every `key:value` entry.
 * A filter `key:value` matches that entry exactly; a bare `key` matches the entry `key` and every
 * `key:<value>` entry (the key is the text before the first colon). Keys never contain a colon and
 * `key:value` terms always do, so one set of terms serves both and a filter is looked up as it is.
 */
export function tagTerms(tags: readonly string[]): string[] {
  const terms = new Set<string>();
  for (const tag of tags) {
    terms.add(tag);
    const colon = tag.indexOf(":");
    if (colon > 0) terms.add(tag.slice(0, colon));
  }
  return [...terms];
}

/** Reference rule of the `text` filter: `text` (already lower case) is a substring of one piece. */
export function matchesText(pieces: readonly string[], text: string): boolean {
  return pieces.some((piece) => piece.toLowerCase().includes(text));
}

/** Reference rule of the `tag` filter: every filter is one of the vCon's tag terms (AND). */
export function matchesTags(tags: readonly string[], filters: readonly string[]): boolean {
  if (filters.length === 0) return true;
  const terms = new Set(tagTerms(tags));
  return filters.every((filter) => terms.has(filter));
}

const preparedText = new WeakMap<PreparedVcon, string[]>();
const preparedTags = new WeakMap<PreparedVcon, string[]>();

/** `vconSearchText` of a prepared vCon, computed once: saves that never search pay nothing. */
export function searchTextOf(vcon: PreparedVcon): string[] {
  let pieces = preparedText.get(vcon);
  if (pieces === undefined) {
    pieces = vconSearchText(vcon.document as Record<string, unknown>);
    preparedText.set(vcon, pieces);
  }
  return pieces;
}

/** `vconTags` of a prepared vCon, computed once. */
export function tagsOf(vcon: PreparedVcon): string[] {
  let tags = preparedTags.get(vcon);
  if (tags === undefined) {
    tags = vconTags(vcon.document as Record<string, unknown>);
    preparedTags.set(vcon, tags);
  }
  return tags;
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isPlainObject) : [];
}

function isUnencoded(encoding: unknown): boolean {
  return encoding === undefined || encoding === null || encoding === "none";
}

function collectAnalysisText(analysis: Record<string, unknown>, pieces: string[]): void {
  const body = analysis.body;
  if (isUnencoded(analysis.encoding)) {
    if (typeof body === "string") pieces.push(body);
    return;
  }
  if (analysis.encoding !== "json") return;
  // A json-encoded body is JSON text, or (as some writers do) the JSON value itself.
  const value = typeof body === "string" ? parseJson(body) : body;
  collectStrings(value, pieces);
}

/** Every string value inside a JSON value, depth first; object keys are not text. */
function collectStrings(root: unknown, pieces: string[]): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === "string") pieces.push(value);
    else if (Array.isArray(value)) for (let i = value.length - 1; i >= 0; i--) stack.push(value[i]);
    else if (isPlainObject(value)) {
      const values = Object.values(value);
      for (let i = values.length - 1; i >= 0; i--) stack.push(values[i]);
    }
  }
}

function tagEntries(attachment: Record<string, unknown>): string[] {
  const body = attachment.body;
  const value = typeof body === "string" && attachment.encoding === "json" ? parseJson(body) : body;
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === "string") : [];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
