import { type ValidationIssue, validateVcon } from "@vcon/storage-core";

/**
 * The draft validator, calibrated for real data. The IETF draft's MUSTs are errors. Names from the
 * 0.0.1 shapes most stored vCons still use (`mimetype`, `appended`, `must_support`, attachment `type`,
 * `alg` + `signature`) and deprecated fields (`vcon`) are warnings, and so are the draft rules such a
 * legacy element could not know: a legacy attachment's `start`/`party`/`dialog`, a legacy signature
 * instead of `content_hash`, a date-time without an offset (read as UTC). Every finding has a JSON path.
 */
export interface ValidationReport {
  /** True when there is no error (warnings allowed). */
  ok: boolean;
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
}

export type ValidationLevel = "storage" | "draft";

/** Legacy names and what the draft calls them now, per element kind. */
const RENAMED_TOP_LEVEL: Record<string, string> = { appended: "amended", must_support: "critical" };
const RENAMED_CONTENT: Record<string, string> = { mimetype: "mediatype" };
const CONTENT_LISTS = ["dialog", "analysis", "attachments"] as const;
const OFFSETLESS_DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

export function validateDocument(document: unknown, level: ValidationLevel = "draft"): ValidationReport {
  if (level === "storage") {
    const { issues } = validateVcon(document, { level: "storage" });
    return { ok: issues.length === 0, errors: issues, warnings: [] };
  }
  const warnings: ValidationIssue[] = [];
  const legacy = new LegacyShapes();
  if (isPlainObject(document)) {
    const payload = signedPayload(document);
    if (payload) legacy.scan(payload, "$.payload<decoded>", warnings);
    else legacy.scan(document, "$", warnings);
  }
  const errors: ValidationIssue[] = [];
  for (const issue of validateVcon(document, { level: "draft" }).issues) {
    const excuse = legacy.excuse(issue, document);
    if (excuse) warnings.push({ path: issue.path, message: `${issue.message} (${excuse})` });
    else errors.push(issue);
  }
  return { ok: errors.length === 0, errors, warnings };
}

/** Remembers which elements are in a legacy shape, so draft rules they predate become warnings. */
class LegacyShapes {
  /** Paths of attachments written with the legacy `type`. */
  readonly #legacyAttachments = new Set<string>();
  /** Paths of elements carrying legacy `alg` + `signature` integrity. */
  readonly #legacySigned = new Set<string>();

  scan(vcon: Record<string, unknown>, root: string, warnings: ValidationIssue[]): void {
    for (const [legacy, current] of Object.entries(RENAMED_TOP_LEVEL)) {
      if (legacy in vcon) warnings.push(renamed(`${root}.${legacy}`, current));
    }
    if ("vcon" in vcon) {
      warnings.push({
        path: `${root}.vcon`,
        message: "deprecated: the syntax version field is no longer part of the draft",
      });
    }
    for (const list of CONTENT_LISTS) {
      const entries = vcon[list];
      if (!Array.isArray(entries)) continue;
      entries.forEach((entry, index) => {
        if (!isPlainObject(entry)) return;
        const path = `${root}.${list}[${index}]`;
        for (const [legacy, current] of Object.entries(RENAMED_CONTENT)) {
          if (legacy in entry) warnings.push(renamed(`${path}.${legacy}`, current));
        }
        if (list === "attachments" && "type" in entry) {
          warnings.push(renamed(`${path}.type`, "purpose"));
          this.#legacyAttachments.add(path);
        }
        if ("alg" in entry || "signature" in entry) {
          warnings.push({
            path: `${path}.${"signature" in entry ? "signature" : "alg"}`,
            message: "legacy integrity fields (alg, signature): the draft uses content_hash",
          });
          this.#legacySigned.add(path);
        }
      });
    }
  }

  /** Why a draft finding is only a warning here, or undefined when it stays an error. */
  excuse(issue: ValidationIssue, document: unknown): string | undefined {
    const parent = issue.path.replace(/\.[^.[\]]+$/, "");
    const field = issue.path.slice(parent.length + 1);
    if (this.#legacyAttachments.has(parent) && ["start", "party", "dialog"].includes(field)) {
      return "a legacy attachment (type) predates this rule";
    }
    if (this.#legacySigned.has(parent) && field === "content_hash") {
      return "legacy alg/signature given instead";
    }
    if (/RFC 3339/.test(issue.message)) {
      const value = valueAt(document, issue.path);
      if (typeof value === "string" && OFFSETLESS_DATE_TIME.test(value)) {
        return "no UTC offset: read as UTC";
      }
    }
    return undefined;
  }
}

function renamed(path: string, current: string): ValidationIssue {
  return { path, message: `legacy name: the draft calls this ${current}` };
}

function signedPayload(document: Record<string, unknown>): Record<string, unknown> | null {
  if (typeof document.payload !== "string" || !Array.isArray(document.signatures)) return null;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(document.payload, "base64url").toString("utf8"));
    return isPlainObject(decoded) ? decoded : null;
  } catch {
    return null;
  }
}

/** The value at a report path (`$.dialog[0].start`, `$.payload<decoded>.created_at`). */
function valueAt(document: unknown, path: string): unknown {
  let current: unknown = document;
  const steps = path.replace(/^\$/, "").match(/\.[^.[\]]+|\[\d+\]/g) ?? [];
  for (const step of steps) {
    if (step === ".payload<decoded>") {
      current = isPlainObject(current) ? signedPayload(current) : undefined;
      continue;
    }
    const key = step.startsWith("[") ? Number(step.slice(1, -1)) : step.slice(1);
    current = (current as Record<string | number, unknown> | undefined)?.[key];
    if (current === undefined) return undefined;
  }
  return current;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
