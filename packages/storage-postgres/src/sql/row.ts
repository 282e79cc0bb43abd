import { type PreparedVcon, withExplicitUtc } from "@vcon/storage-core/adapter";
import { jsonbSafeCopy, textColumnSafe } from "./jsonb.js";
import { arrayLiteral, searchKeys } from "./keys.js";

/**
 * One vCon as the database takes it, in the order of the save statement's parameters, the staging
 * table's columns and the batch statement's arrays: id, vcon, created_at, subject, sanitised, parties,
 * then the search keys (tels, mailtos, party_names, subject_key, search_text, tags).
 */
export function rowValues(vcon: PreparedVcon): (string | null)[] {
  const keys = searchKeys(vcon);
  return [
    vcon.uuid,
    vcon.json,
    // Core's rule (an offset-less date-time is UTC) written out, whatever the session's TimeZone:
    // a caller's pool may run in another zone.
    vcon.createdAt === null ? null : withExplicitUtc(vcon.createdAt),
    textColumnSafe(vcon.subject),
    jsonbSafeCopy(vcon.json),
    signedParties(vcon),
    ...keyValues(keys),
  ];
}

/** The search keys in column order, arrays as literals. */
export function keyValues(keys: ReturnType<typeof searchKeys>): (string | null)[] {
  return [
    arrayLiteral(keys.tels),
    arrayLiteral(keys.mailtos),
    keys.partyNames,
    keys.subjectKey,
    keys.searchText,
    arrayLiteral(keys.tags),
  ];
}

/** Columns of `rowValues`, one array per column: what the unnest batch statement binds. */
export function rowColumns(vcons: readonly PreparedVcon[]): (string | null)[][] {
  const rows = vcons.map(rowValues);
  return (rows[0] ?? []).map((_, column) => rows.map((row) => row[column]!));
}

/** Canonical uuids are lower-case hex at fixed places: string order is PostgreSQL's uuid order. */
export function byUuid(a: PreparedVcon, b: PreparedVcon): number {
  return a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0;
}

/** A signed vCon's parties live in its payload: index the keys core read from it. */
function signedParties(vcon: PreparedVcon): string | null {
  if (vcon.form !== "signed" || vcon.parties.length === 0) return null;
  const json = JSON.stringify(vcon.parties);
  return jsonbSafeCopy(json) ?? json;
}
