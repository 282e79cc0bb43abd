import {
  isStorageError,
  type PreparedVcon,
  prepareVcon,
  ValidationError,
  type ValidationIssue,
} from "@vcon/storage-core";
import type { FastifyRequest } from "fastify";
import { requestBodyText } from "./json-body.js";
import { arrayElementTexts } from "./json-text.js";

export interface PreparedBody {
  /** The body was an array (answers then list `uuids`). */
  batch: boolean;
  prepared: PreparedVcon[];
}

/**
 * Checks every document of a body with core's rules before anything is written: one bad vCon rejects
 * the whole request. Each document is prepared from its own JSON text as sent, so the stored bytes
 * are the client's (a signed vCon stays verifiable; an array element keeps its own bytes).
 */
export function prepareBody(
  request: FastifyRequest,
  options: { maxBatch: number; allowBatch: boolean },
): PreparedBody {
  const text = requestBodyText(request);
  const batch = Array.isArray(request.body);
  if (batch && !options.allowBatch) {
    throw new ValidationError("Expected one vCon", [{ path: "$", message: "got an array; send one vCon" }]);
  }
  const texts: unknown[] = text === undefined ? [request.body] : batch ? arrayElementTexts(text) : [text];
  if (texts.length === 0)
    throw new ValidationError("Nothing to save", [{ path: "$", message: "the array is empty" }]);
  if (texts.length > options.maxBatch) {
    throw new ValidationError("Too many vCons in one request", [
      { path: "$", message: `${texts.length} vCons; at most ${options.maxBatch} per request` },
    ]);
  }
  const prepared: PreparedVcon[] = [];
  const issues: ValidationIssue[] = [];
  texts.forEach((document, index) => {
    try {
      prepared.push(prepareVcon(document));
    } catch (error) {
      if (!isStorageError(error, "VALIDATION")) throw error;
      for (const issue of error.issues)
        issues.push({ ...issue, path: batch ? issue.path.replace(/^\$/, `$[${index}]`) : issue.path });
    }
  });
  if (issues.length > 0) {
    throw new ValidationError(
      batch ? "Batch rejected, nothing was written" : "vCon rejected, nothing was written",
      issues.slice(0, 100),
    );
  }
  return { batch, prepared };
}
