/**
 * Schema issues (zod, valibot, any Standard Schema) as core's `ValidationIssue`s, in core's one path
 * syntax: `$.parties[0].tel` for documents, `options.url` / `options.hosts[1]` / `options["odd key"]`
 * for options. Adapters use it for their own option and input checks so every error reads the same.
 */
import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { ValidationIssue } from "./errors.js";
import { childPath } from "./json-safety.js";

type PathSegment = PropertyKey | StandardSchemaV1.PathSegment;

/** `root` followed by each key of `path`: numbers as `[0]`, identifiers as `.key`, others as `["key"]`. */
export function issuePath(root: string, path: readonly PathSegment[] | undefined): string {
  let text = root;
  for (const segment of path ?? []) {
    const key = typeof segment === "object" && segment !== null ? segment.key : segment;
    text = childPath(text, typeof key === "number" ? key : String(key));
  }
  return text;
}

/** Every schema issue as a ValidationIssue located under `root` ("options" for adapter options). */
export function schemaIssues(issues: readonly StandardSchemaV1.Issue[], root = "$"): ValidationIssue[] {
  return issues.map((issue) => ({ path: issuePath(root, issue.path), message: issue.message }));
}
