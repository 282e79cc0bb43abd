/**
 * The one rule for reading vCon dates: a date-time without an offset is UTC. Real vcon-server data
 * holds `2024-03-16T16:09:20.701906` (Python's `datetime.isoformat()` of a naive UTC time), and
 * `Date.parse` would place it at the machine's local time, so two hosts in different time zones would
 * sort and filter the same document differently. PostgreSQL with `TimeZone=UTC` already reads it so.
 */

/** An ISO 8601 date and time with no offset: `T` (or a space) between them, seconds optional. */
const OFFSETLESS_DATE_TIME = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The same date text with the UTC the rule implies written out: `Z` after an offset-less date-time,
 * `T00:00:00Z` after a bare date; anything else as given. Digits are kept, so a database that reads
 * the text in its own session time zone (PostgreSQL's `timestamptz`) still stores core's instant.
 */
export function withExplicitUtc(text: string): string {
  const offsetless = OFFSETLESS_DATE_TIME.exec(text);
  if (offsetless) return `${offsetless[1]}T${offsetless[2]}Z`;
  return DATE_ONLY.test(text) ? `${text}T00:00:00Z` : text;
}

/**
 * Epoch milliseconds of a vCon date-time, or `null` when the text is not a date. Offset-less ISO
 * date-times (`2024-03-16T16:09:20.701906`, `2024-03-16 16:09`) are UTC; everything else is read by
 * `Date.parse` (date-only forms are UTC there too). Digits past milliseconds are truncated.
 */
export function parseVconDate(text: string): number | null {
  if (typeof text !== "string") return null;
  const ms = Date.parse(withExplicitUtc(text));
  return Number.isNaN(ms) ? null : ms;
}

/** `parseVconDate` for a `Date | string` argument (`since`, `until`): a Date is taken as it is. */
export function toVconDate(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value !== "string") return null;
  const ms = parseVconDate(value);
  return ms === null ? null : new Date(ms);
}
