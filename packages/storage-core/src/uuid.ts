import { ValidationError } from "./errors.js";

const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UUID = /^\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i;

/**
 * The canonical form of a uuid: lower case, hyphenated, no braces. Any version is accepted
 * (vCons use v8 as often as v4). Returns `null` for anything that is not a uuid.
 */
export function normalizeUuid(value: unknown): string | null {
  if (typeof value !== "string" || value.length > 40) return null;
  // Most uuids arrive canonical already (from a stored vCon, a cursor, an earlier call): one test.
  if (CANONICAL.test(value)) return value;
  const match = UUID.exec(value.trim());
  if (!match) return null;
  const hasOpen = value.trim().startsWith("{");
  const hasClose = value.trim().endsWith("}");
  if (hasOpen !== hasClose) return null;
  return match.slice(1, 6).join("-").toLowerCase();
}

/** Like {@link normalizeUuid}, but a bad value throws a `VALIDATION` error. */
export function requireUuid(value: unknown, path = "uuid"): string {
  const uuid = normalizeUuid(value);
  if (uuid === null) {
    // Not the value itself: a caller's mistake here may be a phone number or an e-mail address.
    const shown = typeof value === "string" ? `a string of ${value.length} characters` : typeof value;
    throw new ValidationError("Invalid uuid", [{ path, message: `expected a uuid, got ${shown}` }]);
  }
  return uuid;
}
