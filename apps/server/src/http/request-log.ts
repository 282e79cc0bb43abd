import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Logger } from "@vcon/storage-core";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";

/** An incoming `x-request-id` is kept only when it is this safe to log and echo. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Query parameters whose values are never personal: logged as sent. Everything else is redacted. */
const LOGGED_QUERY_PARAMETERS = new Set(["limit", "since", "until", "page", "size"]);
const REDACTED = "[redacted]";

/** Headers that carry keys or sessions: masked if a log line ever includes headers. */
export const REDACTED_LOG_PATHS = [
  "req.headers.authorization",
  'req.headers["x-api-key"]',
  'req.headers["x-conserver-api-token"]',
  "req.headers.cookie",
];

/** The caller's `x-request-id` when it is safe, else a fresh uuid. */
export function requestId(request: IncomingMessage): string {
  const given = request.headers["x-request-id"];
  return typeof given === "string" && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * The URL with every query value replaced except paging and dates: search values (tel, mailto,
 * name, text, tag, ...) are personal data and never reach a log.
 */
export function redactedUrl(url: string): string {
  const question = url.indexOf("?");
  if (question === -1) return url;
  const query = url
    .slice(question + 1)
    .split("&")
    .filter((pair) => pair !== "")
    .map((pair) => {
      const equals = pair.indexOf("=");
      const name = equals === -1 ? pair : pair.slice(0, equals);
      if (equals === -1) return name;
      return LOGGED_QUERY_PARAMETERS.has(safeDecode(name)) ? pair : `${name}=${REDACTED}`;
    });
  return `${url.slice(0, question)}?${query.join("&")}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** What a log line says about a request, if it says anything: never headers, never query values. */
export function requestSerializer(request: { method: string; url: string }): {
  method: string;
  url: string;
} {
  return { method: request.method, url: redactedUrl(request.url) };
}

const requestLoggers = new AsyncLocalStorage<FastifyBaseLogger>();

/**
 * A logger for storages that writes through the logger of the request being served (so storage
 * lines carry its `reqId`), and through `base` outside requests.
 */
export function requestScopedLogger(base: Logger): Logger {
  const current = (): Logger => requestLoggers.getStore() ?? base;
  return {
    debug: (object, message) => current().debug(object, message),
    info: (object, message) => current().info(object, message),
    warn: (object, message) => current().warn(object, message),
    error: (object, message) => current().error(object, message),
  };
}

/**
 * Echoes the request id, makes the request's logger current for everything the handler calls,
 * and writes one access log line per answered request: method, route, redacted URL, status, time.
 */
export function installRequestLogging(app: FastifyInstance): void {
  app.addHook("onRequest", (request, reply, done) => {
    reply.header("x-request-id", request.id);
    requestLoggers.run(request.log, done);
  });
  // Body parsing resumes from socket events, outside the context entered above: enter it again.
  app.addHook("preHandler", (request, _reply, done) => {
    requestLoggers.run(request.log, done);
  });
  app.addHook("onResponse", async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? null,
        url: redactedUrl(request.url),
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
        ...(request.apiKey ? { key: request.apiKey.name } : {}),
      },
      "request completed",
    );
  });
  app.addHook("onRequestAbort", async (request) => {
    request.log.info(
      { method: request.method, route: request.routeOptions.url ?? null, url: redactedUrl(request.url) },
      "request aborted by the client",
    );
  });
}
