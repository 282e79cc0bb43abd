import { parseVconDate } from "./dates.js";
import { ValidationError, type ValidationIssue } from "./errors.js";
import { checkJsonValue, isPlainObject } from "./json-safety.js";
import type { Party, VconDocument, VconForm } from "./types.js";
import { normalizeUuid } from "./uuid.js";

/** What a caller may hand to `save`: a vCon object, or its JSON text (kept byte for byte). */
export type VconInput = VconDocument | string;

/** The party fields search works on, taken from the document once per save. */
export interface PartyKeys {
  tel?: string;
  mailto?: string;
  name?: string;
}

/**
 * A vCon checked and serialised once by core, ready for an adapter to write.
 * Adapters must not keep a reference to `document`: it may be the caller's object.
 */
export interface PreparedVcon {
  /** Canonical uuid: lower case, hyphenated. */
  readonly uuid: string;
  readonly form: VconForm;
  /** The document as an object (the caller's, or parsed from the text). Read only. */
  readonly document: VconDocument;
  /** The exact JSON text to store: the caller's text when a string was given. */
  readonly json: string;
  /** Size of `json` in UTF-8 bytes. */
  readonly bytes: number;
  /** `created_at` as given, when present and valid. */
  readonly createdAt: string | null;
  /** `created_at` in epoch milliseconds, when present. */
  readonly createdAtMs: number | null;
  readonly subject: string | null;
  readonly parties: readonly PartyKeys[];
}

export interface DocumentLimits {
  /** Largest accepted document, in UTF-8 bytes of its JSON text. */
  maxDocumentBytes: number;
  /** Deepest accepted nesting of objects and arrays. */
  maxDepth: number;
}

/** 32 MiB: a one-hour inline recording fits; bigger media belongs behind `url`. */
export const DEFAULT_LIMITS: Readonly<DocumentLimits> = Object.freeze({
  maxDocumentBytes: 32 * 1024 * 1024,
  maxDepth: 256,
});

/**
 * The brand of a PreparedVcon made by `prepareVcon`, holding the limits it was checked against. A
 * registered symbol, so a vCon prepared by another installed copy of core is recognised too, and an
 * enumerable one, so `{ ...prepared }` keeps it (JSON never carries symbols: no parsed input can forge it).
 */
const PREPARED_WITH = Symbol.for("@vcon/storage-core/prepared-with");

/**
 * Checks a vCon for what storage needs and serialises it once.
 * Throws `VALIDATION` listing every problem; never returns a half-checked document.
 */
export function prepareVcon(input: unknown, limits: DocumentLimits = DEFAULT_LIMITS): PreparedVcon {
  const { document, json, bytes } = toDocumentAndText(input, limits);
  if (bytes > limits.maxDocumentBytes) {
    throw new ValidationError("vCon too large", [
      { path: "$", message: `${bytes} bytes is over the limit of ${limits.maxDocumentBytes} bytes` },
    ]);
  }
  const form = vconForm(document);
  const uuid = normalizeUuid(uuidOf(document, form));
  const content = vconContent(document);
  const issues: ValidationIssue[] = [];
  if (uuid === null) issues.push({ path: uuidPath(form), message: missingUuidMessage(document, form) });
  const createdAt = readCreatedAt(content, issues);
  if (issues.length > 0) throw new ValidationError("vCon cannot be stored", issues);
  const prepared: PreparedVcon & { [PREPARED_WITH]: DocumentLimits } = {
    [PREPARED_WITH]: limits,
    uuid: uuid!,
    form,
    document: document as VconDocument,
    json,
    bytes,
    createdAt: createdAt?.text ?? null,
    createdAtMs: createdAt?.ms ?? null,
    subject: typeof content?.subject === "string" ? content.subject : null,
    parties: partyKeys(content?.parties),
  };
  return prepared;
}

/**
 * True for a vCon `prepareVcon` (or `prepareBatch`) returned, still consistent. `save` and `saveMany`
 * take these without checking the document again, so an application that writes one POST to several
 * storages validates it once.
 */
export function isPreparedVcon(value: unknown): value is PreparedVcon {
  if (typeof value !== "object" || value === null || !(PREPARED_WITH in value)) return false;
  const candidate = value as Partial<PreparedVcon>;
  return (
    typeof candidate.uuid === "string" &&
    typeof candidate.json === "string" &&
    typeof candidate.bytes === "number"
  );
}

/** The limits a prepared vCon was checked against, or null when `value` is not one. */
export function preparedLimitsOf(value: unknown): DocumentLimits | null {
  return isPreparedVcon(value)
    ? ((value as unknown as Record<symbol, DocumentLimits>)[PREPARED_WITH] ?? null)
    : null;
}

/**
 * `input` ready for an adapter under `limits`: a prepared vCon checked against limits at least as
 * strict is taken as it is (no second parse or walk); anything else goes through `prepareVcon`.
 */
export function prepareOnce(input: unknown, limits: DocumentLimits): PreparedVcon {
  const used = preparedLimitsOf(input);
  if (used === null) return prepareVcon(input, limits);
  const prepared = input as PreparedVcon;
  if (used.maxDepth <= limits.maxDepth && prepared.bytes <= limits.maxDocumentBytes) return prepared;
  // Checked under looser limits elsewhere: check the exact text again under these.
  return prepareVcon(prepared.json, limits);
}

/** The uuid a document is stored under, in any of the three forms, or null. */
export function vconUuidOf(document: unknown): string | null {
  if (!isPlainObject(document)) return null;
  return normalizeUuid(uuidOf(document, vconForm(document)));
}

/** Tells unsigned, signed (JWS) and encrypted (JWE) vCons apart by their members. */
export function vconForm(document: Record<string, unknown>): VconForm {
  if (typeof document.payload === "string" && Array.isArray(document.signatures)) return "signed";
  if (typeof document.ciphertext === "string") return "encrypted";
  return "unsigned";
}

function toDocumentAndText(
  input: unknown,
  limits: DocumentLimits,
): { document: Record<string, unknown>; json: string; bytes: number } {
  if (typeof input === "string") {
    const bytes = Buffer.byteLength(input, "utf8");
    if (bytes > limits.maxDocumentBytes) {
      throw new ValidationError("vCon too large", [
        { path: "$", message: `over the limit of ${limits.maxDocumentBytes} bytes` },
      ]);
    }
    if (!input.isWellFormed()) {
      throw new ValidationError("vCon text is not well-formed Unicode", [
        { path: "$", message: "the text holds a lone surrogate; escape it as \\uXXXX inside a JSON string" },
      ]);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch (error) {
      throw new ValidationError("vCon text is not valid JSON", [
        { path: "$", message: (error as Error).message },
      ]);
    }
    requireObject(parsed);
    const issues = checkJsonValue(parsed, limits.maxDepth);
    if (issues.length > 0) throw new ValidationError("vCon cannot be stored", issues);
    return { document: parsed, json: input, bytes };
  }
  requireObject(input);
  const issues = checkJsonValue(input, limits.maxDepth);
  if (issues.length > 0) throw new ValidationError("vCon cannot be stored", issues);
  const json = JSON.stringify(input);
  return { document: input, json, bytes: Buffer.byteLength(json, "utf8") };
}

function requireObject(value: unknown): asserts value is Record<string, unknown> {
  if (!isPlainObject(value)) {
    const kind = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
    throw new ValidationError("vCon must be a JSON object", [{ path: "$", message: `got ${kind}` }]);
  }
}

function uuidOf(document: Record<string, unknown>, form: VconForm): unknown {
  if (form === "signed") {
    const signatures = document.signatures as Array<{ header?: { uuid?: unknown } }>;
    const fromHeader = signatures.find((s) => isPlainObject(s) && isPlainObject(s.header) && s.header.uuid)
      ?.header?.uuid;
    return fromHeader ?? decodeJwsPayload(document)?.uuid;
  }
  if (form === "encrypted") {
    const unprotected = document.unprotected;
    return isPlainObject(unprotected) ? unprotected.uuid : undefined;
  }
  return document.uuid;
}

function uuidPath(form: VconForm): string {
  if (form === "signed") return "$.signatures[0].header.uuid";
  if (form === "encrypted") return "$.unprotected.uuid";
  return "$.uuid";
}

function missingUuidMessage(document: Record<string, unknown>, form: VconForm): string {
  const value = uuidOf(document, form);
  return value === undefined
    ? "a uuid is required to store a vCon"
    : `not a valid uuid: ${shownValue(value)}`;
}

/** A value as an issue message shows it: JSON, cut short, so a hostile document cannot make it huge. */
function shownValue(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 64 ? `${json.slice(0, 64)}...` : json;
}

/**
 * The readable content of a vCon in any form: the document itself when unsigned, the JWS payload when
 * signed, null when encrypted (or when a payload does not decode to an object). For indexing only.
 */
export function vconContent(document: Record<string, unknown>): Record<string, unknown> | null {
  const form = vconForm(document);
  return form === "signed" ? decodeJwsPayload(document) : form === "unsigned" ? document : null;
}

/**
 * A signed vCon's payload (base64url JSON) as an object, or null when it is not one. For indexing and
 * validation only: this is not signature verification.
 */
export function decodeJwsPayload(document: Record<string, unknown>): Record<string, unknown> | null {
  if (typeof document.payload !== "string") return null;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(document.payload, "base64url").toString("utf8"));
    return isPlainObject(decoded) ? decoded : null;
  } catch {
    return null;
  }
}

function readCreatedAt(content: Record<string, unknown> | null, issues: ValidationIssue[]) {
  const value = content?.created_at;
  if (value === undefined || value === null) return null;
  const ms = typeof value === "string" ? parseVconDate(value) : null;
  if (ms === null) {
    issues.push({
      path: "$.created_at",
      message: `expected an RFC 3339 date-time, got ${shownValue(value)}`,
    });
    return null;
  }
  return { text: value as string, ms };
}

function partyKeys(parties: unknown): PartyKeys[] {
  if (!Array.isArray(parties)) return [];
  const keys: PartyKeys[] = [];
  for (const party of parties as Party[]) {
    if (!isPlainObject(party)) continue;
    const entry: PartyKeys = {};
    if (typeof party.tel === "string") entry.tel = party.tel;
    if (typeof party.mailto === "string") entry.mailto = party.mailto;
    if (typeof party.name === "string") entry.name = party.name;
    keys.push(entry);
  }
  return keys;
}
