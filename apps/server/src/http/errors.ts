import { type ErrorCode, isStorageError, scrubSecrets, type ValidationIssue } from "@vcon/storage-core";
import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";
import { StorageFailure, type StorageOutcome } from "../storages/outcome.js";

/** Seconds a client should wait before retrying after an outage. */
export const RETRY_AFTER_SECONDS = 5;

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  VALIDATION: 400,
  NOT_SUPPORTED: 501,
  UNAVAILABLE: 503,
  CLOSED: 503,
  CONFLICT: 409,
  INTERNAL: 500,
};

export interface ErrorBody {
  error: {
    code: string;
    message: string;
    issues?: ValidationIssue[];
    storages?: StorageOutcome[];
  };
}

export function statusForCode(code: ErrorCode): number {
  return STATUS_BY_CODE[code] ?? 500;
}

/** Sends the one error shape every route uses; 503s carry Retry-After. */
export function sendError(reply: FastifyReply, status: number, body: ErrorBody): FastifyReply {
  if (status === 503) reply.header("retry-after", String(RETRY_AFTER_SECONDS));
  return reply.code(status).send(body);
}

/** What 413 and 415 answers name: the setting that limits bodies and the media types accepted. */
export interface BodyRules {
  bodyLimit: number;
  mediaTypes: readonly string[];
}

const DEFAULT_BODY_RULES: BodyRules = {
  bodyLimit: 32 * 1024 * 1024,
  mediaTypes: ["application/json", "application/vcon+json"],
};

/** Turns storage errors, request validation failures and anything unexpected into `{ error }` answers. */
export function installErrorHandlers(
  app: FastifyInstance,
  secrets: readonly string[],
  bodyRules: BodyRules = DEFAULT_BODY_RULES,
): void {
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    if (error instanceof StorageFailure) {
      const status = statusForCode(error.code);
      request.log.warn({ storages: error.outcomes }, error.message);
      return sendError(reply, status, {
        error: {
          code: error.code,
          message: scrubSecrets(error.message, secrets),
          storages: [...error.outcomes],
        },
      });
    }
    if (isStorageError(error)) {
      const issues = (error as { issues?: ValidationIssue[] }).issues;
      const body: ErrorBody = { error: { code: error.code, message: scrubSecrets(error.message, secrets) } };
      if (issues) body.error.issues = [...issues];
      return sendError(reply, statusForCode(error.code), body);
    }
    const fastifyError = error as FastifyError;
    if (fastifyError.validation) {
      return sendError(reply, 400, {
        error: { code: "VALIDATION", message: "Invalid request", issues: requestIssues(fastifyError) },
      });
    }
    if (fastifyError.code === "FST_ERR_CTP_BODY_TOO_LARGE" || fastifyError.statusCode === 413) {
      return sendError(reply, 413, {
        error: {
          code: "PAYLOAD_TOO_LARGE",
          message: `The request body is over server.bodyLimit (${bodyRules.bodyLimit} bytes)`,
          issues: [{ path: "$", message: `at most ${bodyRules.bodyLimit} bytes (server.bodyLimit)` }],
        },
      });
    }
    if (fastifyError.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" || fastifyError.statusCode === 415) {
      const accepted = bodyRules.mediaTypes.join(", ");
      return sendError(reply, 415, {
        error: {
          code: "UNSUPPORTED_MEDIA_TYPE",
          message: `Unsupported content-type; send one of: ${accepted}`,
          issues: [{ path: "headers.content-type", message: `expected ${accepted}` }],
        },
      });
    }
    const status = fastifyError.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      // Fastify's own client errors: bad JSON, body too large, unsupported media type.
      const code = status === 400 ? "VALIDATION" : (fastifyError.code ?? `HTTP_${status}`);
      const body: ErrorBody = { error: { code, message: fastifyError.message } };
      if (status === 400) body.error.issues = [{ path: "$", message: fastifyError.message }];
      return sendError(reply, status, body);
    }
    request.log.error(
      { err: { name: error.name, message: scrubSecrets(error.message, secrets) } },
      "request failed",
    );
    return sendError(reply, 500, { error: { code: "INTERNAL", message: "Internal error" } });
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, {
      error: { code: "NOT_FOUND", message: `No route ${request.method} ${request.url}` },
    }),
  );
}

/** Ajv's findings as `{ path, message }` with paths written like core's (`$.limit`, `query.tel`). */
function requestIssues(error: FastifyError): ValidationIssue[] {
  const part = error.validationContext ?? "request";
  return (error.validation ?? []).map((v) => {
    const extra = (v.params as { additionalProperty?: string }).additionalProperty;
    const pointer = v.instancePath.replace(/^\//, "").replaceAll("/", ".");
    const path = [part === "body" ? "$" : part, pointer, extra].filter(Boolean).join(".");
    return { path, message: extra ? "unknown parameter" : (v.message ?? "invalid") };
  });
}
