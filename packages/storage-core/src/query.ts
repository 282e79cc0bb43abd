import type {
  CursorPosition,
  ExportOptions,
  NormalizedExportOptions,
  NormalizedSearchQuery,
  ReadOptions,
  SearchQuery,
} from "./adapter.js";
import { parseVconDate, toVconDate } from "./dates.js";
import type { PartyKeys } from "./document.js";
import { ValidationError, type ValidationIssue } from "./errors.js";
import { MIN_TEXT_FILTER_LENGTH, matchesTags, matchesText } from "./search-text.js";
import { normalizeUuid } from "./uuid.js";

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_EXPORT_BATCH = 500;
const MAX_FILTER_LENGTH = 1024;
const MAX_TAG_FILTERS = 20;

/** Checks a caller's query and puts it in the form adapters receive. Throws `VALIDATION`. */
export function normalizeSearchQuery(query: SearchQuery = {}): NormalizedSearchQuery {
  if (!isOptionsObject(query)) {
    throw new ValidationError("Invalid search query", [{ path: "query", message: "expected an object" }]);
  }
  const issues: ValidationIssue[] = [];
  const known = new Set([
    "tel",
    "mailto",
    "name",
    "subject",
    "text",
    "tag",
    "since",
    "until",
    "limit",
    "cursor",
  ]);
  for (const key of Object.keys(query)) {
    if (!known.has(key)) issues.push({ path: `query.${key}`, message: "unknown filter" });
  }
  const normalized: NormalizedSearchQuery = { limit: DEFAULT_PAGE_SIZE, after: null };
  const tel = filterText(query.tel, "tel", issues);
  if (tel !== undefined) normalized.tel = tel;
  const mailto = filterText(query.mailto, "mailto", issues);
  if (mailto !== undefined) normalized.mailto = mailto.toLowerCase();
  const name = filterText(query.name, "name", issues);
  if (name !== undefined) normalized.name = name.toLowerCase();
  const subject = filterText(query.subject, "subject", issues);
  if (subject !== undefined) normalized.subject = subject.toLowerCase();
  const text = filterText(query.text, "text", issues);
  if (text !== undefined) {
    if (text.length < MIN_TEXT_FILTER_LENGTH) {
      issues.push({
        path: "query.text",
        message: `expected at least ${MIN_TEXT_FILTER_LENGTH} characters (shorter text matches almost everything)`,
      });
    } else normalized.text = text.toLowerCase();
  }
  const tags = tagFilters(query.tag, issues);
  if (tags !== undefined) normalized.tags = tags;
  Object.assign(normalized, timeRange(query, "query", issues));
  if (query.limit !== undefined) {
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_PAGE_SIZE) {
      issues.push({ path: "query.limit", message: `expected an integer from 1 to ${MAX_PAGE_SIZE}` });
    } else normalized.limit = query.limit;
  }
  if (query.cursor !== undefined && query.cursor !== null) {
    const after = decodeCursor(query.cursor);
    if (after === null)
      issues.push({ path: "query.cursor", message: "not a cursor returned by this storage" });
    else normalized.after = after;
  }
  if (issues.length > 0) throw new ValidationError("Invalid search query", issues);
  return normalized;
}

export function normalizeExportOptions(
  options: ExportOptions = {},
  signal: AbortSignal,
): NormalizedExportOptions {
  if (!isOptionsObject(options)) {
    throw new ValidationError("Invalid export options", [{ path: "options", message: "expected an object" }]);
  }
  const issues: ValidationIssue[] = [];
  const normalized: NormalizedExportOptions = { batchSize: DEFAULT_EXPORT_BATCH, signal };
  Object.assign(normalized, timeRange(options, "options", issues));
  if (options.batchSize !== undefined) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1 || options.batchSize > 10_000) {
      issues.push({ path: "options.batchSize", message: "expected an integer from 1 to 10000" });
    } else normalized.batchSize = options.batchSize;
  }
  const read = readOptionsIssues(options, "options", issues);
  if (issues.length > 0) throw new ValidationError("Invalid export options", issues);
  if (read.consistency !== undefined) normalized.consistency = read.consistency;
  return normalized;
}

/** Queries and options are plain objects: anything else (null, an array, a string) is refused whole. */
function isOptionsObject(value: unknown): value is object {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const CONSISTENCIES = new Set(["primary", "any"]);

/**
 * Checks the read options of get, exists and search (and export's `consistency`): VALIDATION for an
 * unknown level. Returns only what was given, so adapters receive nothing extra when nothing was asked.
 */
export function normalizeReadOptions(options: ReadOptions | undefined): ReadOptions | undefined {
  if (options === undefined) return undefined;
  const issues: ValidationIssue[] = [];
  const read = readOptionsIssues(options, "options", issues);
  if (issues.length > 0) throw new ValidationError("Invalid read options", issues);
  return read;
}

function readOptionsIssues(options: unknown, root: string, issues: ValidationIssue[]): ReadOptions {
  if (typeof options !== "object" || options === null) {
    issues.push({ path: root, message: "expected an object" });
    return {};
  }
  const { consistency } = options as ReadOptions;
  if (consistency === undefined) return {};
  if (!CONSISTENCIES.has(consistency)) {
    issues.push({ path: `${root}.consistency`, message: 'expected "primary" or "any"' });
    return {};
  }
  return { consistency };
}

/** The opaque cursor for a position: base64url JSON, so callers treat it as a token. */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.uuid]), "utf8").toString("base64url");
}

/** The position in a cursor, or null when the text is not one of ours. */
export function decodeCursor(cursor: string): CursorPosition | null {
  if (typeof cursor !== "string" || cursor.length > 512) return null;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (!Array.isArray(decoded) || decoded.length !== 2) return null;
    const [createdAt, uuid] = decoded;
    const canonical = normalizeUuid(uuid);
    if (typeof createdAt !== "string" || parseVconDate(createdAt) === null || canonical === null) return null;
    return { createdAt, uuid: canonical };
  } catch {
    return null;
  }
}

/** What scan-based adapters keep beside each document to answer search and export. */
export interface IndexedRecord {
  uuid: string;
  createdAtMs: number;
  subject: string | null;
  parties: readonly PartyKeys[];
  /** `vconSearchText` of the document; needed only to answer `text` filters. */
  text?: readonly string[];
  /** `vconTags` of the document; needed only to answer `tag` filters. */
  tags?: readonly string[];
}

/** (created_at, uuid) order: the order of every page and every export. */
export function compareRecords(a: IndexedRecord, b: IndexedRecord): number {
  return a.createdAtMs - b.createdAtMs || (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0);
}

export function cursorOf(record: IndexedRecord): string {
  return encodeCursor({ createdAt: new Date(record.createdAtMs).toISOString(), uuid: record.uuid });
}

/** The reference semantics of every filter, for adapters that search by scanning. */
export function matchesQuery(
  record: IndexedRecord,
  query: Partial<
    Pick<
      NormalizedSearchQuery,
      "tel" | "mailto" | "name" | "subject" | "text" | "tags" | "since" | "until" | "after"
    >
  >,
): boolean {
  if (query.since && record.createdAtMs < query.since.getTime()) return false;
  if (query.until && record.createdAtMs >= query.until.getTime()) return false;
  if (query.after) {
    const afterMs = parseVconDate(query.after.createdAt) ?? Number.NaN;
    if (record.createdAtMs < afterMs || (record.createdAtMs === afterMs && record.uuid <= query.after.uuid)) {
      return false;
    }
  }
  if (query.subject !== undefined && !(record.subject ?? "").toLowerCase().includes(query.subject))
    return false;
  const { tel, mailto, name } = query;
  if (tel !== undefined && !record.parties.some((p) => p.tel === tel)) return false;
  if (mailto !== undefined && !record.parties.some((p) => p.mailto?.toLowerCase() === mailto)) return false;
  if (name !== undefined && !record.parties.some((p) => p.name?.toLowerCase().includes(name))) return false;
  if (query.text !== undefined && !matchesText(record.text ?? [], query.text)) return false;
  if (query.tags !== undefined && !matchesTags(record.tags ?? [], query.tags)) return false;
  return true;
}

function filterText(value: unknown, field: string, issues: ValidationIssue[]): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_FILTER_LENGTH) {
    issues.push({
      path: `query.${field}`,
      message: `expected a non-empty string of at most ${MAX_FILTER_LENGTH} characters`,
    });
    return undefined;
  }
  return value;
}

function tagFilters(value: unknown, issues: ValidationIssue[]): string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === "string" ? [value] : value;
  const valid =
    Array.isArray(list) &&
    list.length > 0 &&
    list.length <= MAX_TAG_FILTERS &&
    list.every((tag) => typeof tag === "string" && tag.length > 0 && tag.length <= MAX_FILTER_LENGTH);
  if (!valid) {
    issues.push({
      path: "query.tag",
      message: `expected a non-empty string, or 1 to ${MAX_TAG_FILTERS} of them, each at most ${MAX_FILTER_LENGTH} characters`,
    });
    return undefined;
  }
  return [...new Set(list as string[])];
}

function timeRange(
  source: { since?: Date | string; until?: Date | string },
  prefix: string,
  issues: ValidationIssue[],
) {
  const range: { since?: Date; until?: Date } = {};
  for (const key of ["since", "until"] as const) {
    const value = source[key];
    if (value === undefined) continue;
    // Offset-less text is UTC, as for created_at (parseVconDate).
    const date = toVconDate(value);
    if (date === null) issues.push({ path: `${prefix}.${key}`, message: "expected a date-time" });
    else range[key] = date;
  }
  return range;
}
