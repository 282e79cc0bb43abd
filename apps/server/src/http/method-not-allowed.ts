import type { FastifyInstance } from "fastify";
import { sendError } from "./errors.js";

const METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"] as const;

/**
 * Answers every other method on `url` with 405 and an `Allow` header listing `allowed` (HEAD joins
 * GET, as Fastify serves it). OPTIONS is left to CORS preflight. Hidden from the OpenAPI document.
 */
export function allowOnly(app: FastifyInstance, url: string, allowed: readonly string[]): void {
  const allow = allowed.includes("GET") ? [...allowed, "HEAD"] : [...allowed];
  const others = METHODS.filter((method) => !allow.includes(method));
  if (others.length === 0) return;
  app.route({
    method: others,
    url,
    schema: { hide: true },
    // Answered before the body is read: whatever the body, the method is the problem.
    onRequest: async (request, reply) => {
      reply.header("allow", allow.join(", "));
      return sendError(reply, 405, {
        error: {
          code: "METHOD_NOT_ALLOWED",
          message: `${request.method} is not allowed on ${url}; allowed: ${allow.join(", ")}`,
        },
      });
    },
    handler: async () => undefined,
  });
}
