/**
 * The vCon validator. "storage" checks only what storing needs (exactly what `save` enforces), so
 * documents from older drafts are accepted; "draft" checks the IETF vCon core draft (core-03) rules.
 * Objects are loose everywhere: unknown fields are never an issue.
 */
import { z } from "zod";
import { DEFAULT_LIMITS, decodeJwsPayload, prepareVcon, vconForm } from "./document.js";
import { isStorageError, type ValidationIssue } from "./errors.js";
import { issuePath } from "./issues.js";
import { childPath, isPlainObject } from "./json-safety.js";

export interface ValidateOptions {
  /** "storage": only what storage needs (object + uuid). "draft": the IETF draft's rules. */
  level?: "storage" | "draft";
}

export interface VconValidationResult {
  ok: boolean;
  issues: ValidationIssue[];
}

/** Checks a document and reports every problem with its JSON path (`$.dialog[0].parties[1]`). */
export function validateVcon(document: unknown, options: ValidateOptions = {}): VconValidationResult {
  const level = options.level ?? "storage";
  if (level !== "storage" && level !== "draft") {
    return { ok: false, issues: [{ path: "options.level", message: 'expected "storage" or "draft"' }] };
  }
  const issues = storageIssues(document);
  if (level === "draft" && isPlainObject(document)) {
    // A field storage already reported (the uuid) is reported once.
    const reported = new Set(issues.map((issue) => issue.path));
    issues.push(...draftIssues(document).filter((issue) => !reported.has(issue.path)));
  }
  return { ok: issues.length === 0, issues: dedupe(issues) };
}

function storageIssues(document: unknown): ValidationIssue[] {
  try {
    prepareVcon(document, DEFAULT_LIMITS);
    return [];
  } catch (error) {
    if (isStorageError(error, "VALIDATION")) return [...error.issues];
    throw error;
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

const dateTime = z
  .string()
  .refine(
    (value) => RFC3339.test(value) && !Number.isNaN(Date.parse(value)),
    "expected an RFC 3339 date-time",
  );
const index = z.number().int().min(0);
const indexOrIndexes = z.union([index, z.array(index)]);
const contentHash = z.union([z.string(), z.array(z.string())]);
const base64url = z.string().regex(BASE64URL, "expected base64url text");

/** Fields shared by dialog, analysis and attachments: inline (body + encoding) or external (url + content_hash). */
const content = {
  mediatype: z.string().optional(),
  filename: z.string().optional(),
  body: z.unknown().optional(),
  encoding: z.enum(["base64url", "json", "none"]).optional(),
  url: z.string().url().optional(),
  content_hash: contentHash.optional(),
};

const party = z.looseObject({
  tel: z.string().optional(),
  sip: z.string().optional(),
  stir: z.string().optional(),
  mailto: z.string().optional(),
  name: z.string().optional(),
  did: z.string().optional(),
  validation: z.string().optional(),
  gmlpos: z.string().optional(),
  civicaddress: z.record(z.string(), z.string()).optional(),
  uuid: z.string().optional(),
  role: z.string().optional(),
});

const partyHistory = z.looseObject({
  party: index,
  time: dateTime,
  event: z.enum(["join", "drop", "hold", "unhold", "mute", "unmute", "keydown", "keyup"]),
  button: z.string().optional(),
});

const dialog = z.looseObject({
  type: z.enum(["recording", "text", "transfer", "incomplete", "recording-set"]),
  start: dateTime,
  duration: z.number().min(0).optional(),
  parties: z.union([index, z.array(z.union([index, z.array(index), z.null()]))]).optional(),
  originator: index.optional(),
  disposition: z
    .enum(["no-answer", "congestion", "failed", "busy", "hung-up", "voicemail-no-message"])
    .optional(),
  party_history: z.array(partyHistory).optional(),
  transferee: index.optional(),
  transferor: index.optional(),
  transfer_target: indexOrIndexes.optional(),
  application: z.string().optional(),
  message_id: z.string().optional(),
  ...content,
});

const analysis = z.looseObject({
  type: z.string(),
  vendor: z.string(),
  dialog: indexOrIndexes.optional(),
  attachment: indexOrIndexes.optional(),
  product: z.string().optional(),
  schema: z.string().optional(),
  ...content,
});

const attachment = z.looseObject({
  start: dateTime,
  party: index,
  dialog: index,
  purpose: z.string().optional(),
  ...content,
});

const vconRef = z.looseObject({
  uuid: z.string().uuid().optional(),
  url: z.string().url().optional(),
  content_hash: contentHash.optional(),
});

const unsignedVcon = z.looseObject({
  vcon: z.string().optional(),
  uuid: z.string(),
  created_at: dateTime,
  updated_at: dateTime.optional(),
  subject: z.string().optional(),
  extensions: z.array(z.string()).optional(),
  critical: z.array(z.string()).optional(),
  parties: z.array(party).optional(),
  dialog: z.array(dialog).optional(),
  analysis: z.array(analysis).optional(),
  attachments: z.array(attachment).optional(),
  group: z.array(vconRef).optional(),
  redacted: z
    .union([
      vconRef.extend({ type: z.string() }),
      z.looseObject({}).refine((o) => Object.keys(o).length === 0),
    ])
    .optional(),
  amended: vconRef.optional(),
});

const signedVcon = z.looseObject({
  payload: base64url,
  signatures: z
    .array(
      z.looseObject({
        protected: base64url.optional(),
        header: z.looseObject({}).optional(),
        signature: base64url,
      }),
    )
    .min(1),
});

const encryptedVcon = z.looseObject({
  protected: base64url,
  unprotected: z
    .looseObject({ uuid: z.string().optional(), cty: z.string().optional(), enc: z.string().optional() })
    .optional(),
  recipients: z
    .array(z.looseObject({ header: z.looseObject({}).optional(), encrypted_key: base64url.optional() }))
    .optional(),
  aad: base64url.optional(),
  iv: base64url,
  ciphertext: base64url,
  tag: base64url,
});

function draftIssues(document: Record<string, unknown>): ValidationIssue[] {
  switch (vconForm(document)) {
    case "signed": {
      const issues = zodIssues(signedVcon, document, "$");
      const payload = decodeJwsPayload(document);
      if (payload === null)
        issues.push({ path: "$.payload", message: "not base64url-encoded JSON of an unsigned vCon" });
      // The signed content is an unsigned vCon: checked like one, its issues located inside the payload.
      else issues.push(...unsignedIssues(payload, "$.payload<decoded>"));
      return issues;
    }
    case "encrypted":
      return zodIssues(encryptedVcon, document, "$");
    default:
      return unsignedIssues(document, "$");
  }
}

function unsignedIssues(document: Record<string, unknown>, root: string): ValidationIssue[] {
  return [...zodIssues(unsignedVcon, document, root), ...referenceIssues(document, root)];
}

/** Rules a shape schema cannot say: indexes in range, inline vs external content, required-when fields. */
function referenceIssues(vcon: Record<string, unknown>, root: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const partyCount = Array.isArray(vcon.parties) ? vcon.parties.length : 0;
  const dialogCount = Array.isArray(vcon.dialog) ? vcon.dialog.length : 0;
  const attachmentCount = Array.isArray(vcon.attachments) ? vcon.attachments.length : 0;
  const checkIndex = (value: unknown, path: string, count: number, what: string) => {
    if (Number.isInteger(value) && ((value as number) < 0 || (value as number) >= count)) {
      issues.push({ path, message: `${what} index ${value} is out of range (there are ${count})` });
    }
  };
  const checkIndexes = (value: unknown, path: string, count: number, what: string) => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        checkIndexes(item, `${path}[${i}]`, count, what);
      });
    } else checkIndex(value, path, count, what);
  };
  eachObject(vcon.dialog, `${root}.dialog`, (entry, path) => {
    checkIndexes(entry.parties, childPath(path, "parties"), partyCount, "party");
    for (const key of ["originator", "transferee", "transferor", "transfer_target"]) {
      checkIndexes(entry[key], childPath(path, key), partyCount, "party");
    }
    eachObject(entry.party_history, childPath(path, "party_history"), (event, eventPath) => {
      checkIndex(event.party, childPath(eventPath, "party"), partyCount, "party");
    });
    if (entry.type === "incomplete" && entry.disposition === undefined) {
      issues.push({ path: childPath(path, "disposition"), message: "required for an incomplete dialog" });
    }
    issues.push(...contentIssues(entry, path));
  });
  eachObject(vcon.analysis, `${root}.analysis`, (entry, path) => {
    checkIndexes(entry.dialog, childPath(path, "dialog"), dialogCount, "dialog");
    checkIndexes(entry.attachment, childPath(path, "attachment"), attachmentCount, "attachment");
    issues.push(...contentIssues(entry, path));
  });
  eachObject(vcon.attachments, `${root}.attachments`, (entry, path) => {
    checkIndex(entry.party, childPath(path, "party"), partyCount, "party");
    checkIndex(entry.dialog, childPath(path, "dialog"), dialogCount, "dialog");
    issues.push(...contentIssues(entry, path));
  });
  for (const key of ["redacted", "amended"]) {
    const ref = vcon[key];
    if (isPlainObject(ref) && ref.url !== undefined && ref.content_hash === undefined) {
      issues.push({ path: `${root}.${key}.content_hash`, message: "required with url" });
    }
  }
  return issues;
}

/** Inline content is `body` + `encoding`; external content is `url` + `content_hash`; never both. */
function contentIssues(entry: Record<string, unknown>, path: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const inline = entry.body !== undefined;
  const external = entry.url !== undefined;
  if (inline && external)
    issues.push({ path, message: "has both body and url: content is inline or external, not both" });
  if (inline && entry.encoding === undefined)
    issues.push({ path: childPath(path, "encoding"), message: "required with body" });
  if (inline && entry.encoding !== "json" && typeof entry.body !== "string") {
    issues.push({ path: childPath(path, "body"), message: "must be a string unless encoding is json" });
  }
  if (
    inline &&
    entry.encoding === "base64url" &&
    typeof entry.body === "string" &&
    !BASE64URL.test(entry.body)
  ) {
    issues.push({ path: childPath(path, "body"), message: "not base64url text" });
  }
  if (external && entry.content_hash === undefined) {
    issues.push({ path: childPath(path, "content_hash"), message: "required with url" });
  }
  return issues;
}

function eachObject(
  list: unknown,
  path: string,
  visit: (entry: Record<string, unknown>, path: string) => void,
): void {
  if (!Array.isArray(list)) return;
  list.forEach((entry, i) => {
    if (isPlainObject(entry)) visit(entry, `${path}[${i}]`);
  });
}

function zodIssues(schema: z.ZodType, value: unknown, root: string): ValidationIssue[] {
  const result = schema.safeParse(value);
  if (result.success) return [];
  return result.error.issues.map((issue) => ({
    path: issuePath(root, issue.path),
    message: / received undefined$/.test(issue.message) ? "required" : issue.message,
  }));
}

function dedupe(issues: ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
