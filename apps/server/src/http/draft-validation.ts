import { ValidationError, type ValidationIssue } from "@vcon/storage-core";
import type { FastifyInstance } from "fastify";
import { validateDocument } from "../validation/calibrated.js";

/** Most issues one answer lists: a broken batch should not produce a megabyte of errors. */
const MAX_ISSUES = 100;
export const WARNINGS_HEADER = "vcon-validation-warnings";

/**
 * `server.validation: draft`: every vCon posted or put is checked with the calibrated draft
 * validator before any route runs. Errors reject the whole request (nothing is written); warnings
 * (legacy names, deprecated fields) let it through and are counted in the `vcon-validation-warnings` header.
 */
export function installDraftValidation(app: FastifyInstance): void {
  app.addHook("preHandler", async (request, reply) => {
    if (request.method !== "POST" && request.method !== "PUT") return;
    if (!request.url.startsWith("/vcon")) return;
    const body = typeof request.body === "string" ? safeParse(request.body) : request.body;
    if (typeof body !== "object" || body === null) return;
    const batch = Array.isArray(body);
    const errors: ValidationIssue[] = [];
    let warnings = 0;
    (batch ? body : [body]).forEach((document: unknown, index) => {
      const report = validateDocument(document, "draft");
      warnings += report.warnings.length;
      for (const issue of report.errors)
        errors.push(batch ? { ...issue, path: issue.path.replace(/^\$/, `$[${index}]`) } : issue);
    });
    if (errors.length > 0) {
      throw new ValidationError(
        "Rejected by the vCon draft's rules (server.validation: draft), nothing was written",
        errors.slice(0, MAX_ISSUES),
      );
    }
    if (warnings > 0) reply.header(WARNINGS_HEADER, String(warnings));
  });
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
