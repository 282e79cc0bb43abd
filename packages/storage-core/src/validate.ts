// PLACEHOLDER: the full draft validator is being written (see issue 2). Signature is fixed.
import type { ValidationIssue } from "./errors.js";

export interface ValidateOptions {
  /** "storage": only what storage needs (object + uuid). "draft": the IETF draft's rules. */
  level?: "storage" | "draft";
}

export interface VconValidationResult {
  ok: boolean;
  issues: ValidationIssue[];
}

export function validateVcon(_document: unknown, _options: ValidateOptions = {}): VconValidationResult {
  throw new Error("not implemented yet");
}
