import { ValidationError } from "@vcon/storage-core";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { findJsonSyntaxProblem, trimJsonWhitespace } from "./json-text.js";

/** Media types a body may have: JSON, and the vCon draft's own. */
export const JSON_MEDIA_TYPES = ["application/json", "application/vcon+json"] as const;

const bodyTexts = new WeakMap<FastifyRequest, string>();

/**
 * The body's JSON text exactly as received (outer whitespace aside). Routes store this text, not a
 * re-serialisation of the parsed value, so a signed vCon keeps its bytes.
 */
export function requestBodyText(request: FastifyRequest): string | undefined {
  return bodyTexts.get(request);
}

/**
 * Parses JSON bodies with Fastify's own parser (prototype-poisoning protection kept) and remembers the
 * text. A syntax error answers 400 with its line, column and offset, never with a piece of the body
 * (it may hold personal data).
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser(["application/json", "text/plain"]);
  app.addContentTypeParser([...JSON_MEDIA_TYPES], { parseAs: "string" }, (request, body, done) => {
    const text = body as string;
    parseJson(request, text, (error, value) => {
      if (!error) {
        bodyTexts.set(request, trimJsonWhitespace(text));
        done(null, value);
        return;
      }
      done(isJsonError(error) ? bodyError(text) : error, undefined);
    });
  });
}

/** Fastify's parser reports bad JSON as FST_ERR_CTP_INVALID_JSON_BODY, an empty body as ..._EMPTY_JSON_BODY. */
function isJsonError(error: Error): boolean {
  const code = (error as { code?: string }).code;
  return (
    error instanceof SyntaxError ||
    code === "FST_ERR_CTP_INVALID_JSON_BODY" ||
    code === "FST_ERR_CTP_EMPTY_JSON_BODY"
  );
}

function bodyError(text: string): ValidationError {
  if (text.trim() === "") {
    return new ValidationError("The request body is empty", [
      { path: "$", message: "expected a JSON value" },
    ]);
  }
  const problem = findJsonSyntaxProblem(text);
  if (!problem) {
    // Valid JSON that Fastify's parser refuses: prototype poisoning.
    return new ValidationError("The request body was refused", [
      { path: "$", message: "a __proto__ or constructor.prototype key is not accepted" },
    ]);
  }
  return new ValidationError("The request body is not valid JSON", [
    {
      path: "$",
      message: `line ${problem.line}, column ${problem.column} (offset ${problem.position}): expected ${problem.expected}`,
    },
  ]);
}
