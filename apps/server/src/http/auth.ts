import { createHash, timingSafeEqual } from "node:crypto";
import { ValidationError } from "@vcon/storage-core";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ApiScope, AuthConfig } from "../config/schema.js";
import { sendError } from "./errors.js";

/**
 * API keys. A route says what it needs in its config (`config: { auth: "public" }` or a scope);
 * otherwise the method decides: reads need `read`, POST/PUT/PATCH `write`, DELETE `delete`.
 */
export type RouteAuth = ApiScope | "public";

declare module "fastify" {
  interface FastifyContextConfig {
    /** What the route needs: a scope, or "public" (no key needed; a valid key is still recognised). */
    auth?: RouteAuth;
  }
  interface FastifyRequest {
    /** The key the request presented, when it is valid; null otherwise. */
    apiKey: ApiKeyIdentity | null;
    /** True when the caller may see details: a valid key, or a service configured without keys. */
    authenticated: boolean;
  }
}

export interface ApiKeyIdentity {
  /** From configuration (`name`), never the key itself: safe to log. */
  name: string;
  scopes: readonly ApiScope[];
}

/** The headers a key may come in, in the order they are read. */
export const API_KEY_HEADERS = ["authorization", "x-api-key", "x-conserver-api-token"] as const;
const CHALLENGE = 'Bearer realm="vcon-server"';

interface StoredKey extends ApiKeyIdentity {
  hash: Buffer;
}

/** The configured keys, kept as SHA-256 digests and compared in constant time. */
export class ApiKeys {
  readonly #keys: StoredKey[];

  constructor(keys: readonly { name?: string; key: string; scopes: readonly ApiScope[] }[]) {
    this.#keys = keys.map((k, index) => ({
      name: k.name ?? `key ${index + 1}`,
      scopes: [...k.scopes],
      hash: digest(k.key),
    }));
  }

  static fromConfig(auth: AuthConfig): ApiKeys {
    return new ApiKeys(auth === "none" ? [] : auth.keys);
  }

  get size(): number {
    return this.#keys.length;
  }

  /** The key's identity, or null. Every stored key is compared, so timing says nothing about which one matched. */
  identify(presented: string): ApiKeyIdentity | null {
    const hash = digest(presented);
    let found: StoredKey | null = null;
    for (const key of this.#keys) {
      if (timingSafeEqual(hash, key.hash) && found === null) found = key;
    }
    return found ? { name: found.name, scopes: found.scopes } : null;
  }
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** The key a request presents: `Authorization: Bearer <key>`, `x-api-key`, or vcon-server's `x-conserver-api-token`. */
export function presentedKey(headers: FastifyRequest["headers"]): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === "string") {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match) return match[1]!.trim();
  }
  for (const name of ["x-api-key", "x-conserver-api-token"] as const) {
    const value = headers[name];
    if (typeof value === "string" && value !== "") return value.trim();
  }
  return undefined;
}

/** Loopback addresses only; `0.0.0.0` and `::` listen on every interface. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(bare);
}

/**
 * Refuses to expose the API without a key. Loopback with no key stays open (the first run);
 * `server.auth: none` is the explicit way to serve without keys anywhere.
 */
export function assertSafeExposure(host: string, auth: AuthConfig, keys: ApiKeys): void {
  if (auth === "none" || keys.size > 0 || isLoopback(host)) return;
  throw new ValidationError(
    `Refusing to listen on ${host} without an API key: anyone who can reach the port could read and delete every vCon`,
    [
      {
        path: "server.auth",
        message:
          "set VCON_API_KEY to a long random key (e.g. `openssl rand -hex 32`), or list keys with scopes under server.auth.keys, or set server.auth: none to serve without authentication",
      },
    ],
  );
}

/** The scope a request needs when its route does not say. */
function defaultScope(method: string): RouteAuth {
  if (method === "GET" || method === "HEAD") return "read";
  if (method === "OPTIONS") return "public"; // CORS preflights never carry credentials
  if (method === "DELETE") return "delete";
  return "write";
}

/**
 * Checks every request's key before anything else runs (onRequest, ahead of body parsing). `open`
 * means no key is configured (loopback, or `auth: none`): every caller is allowed and counts as authenticated.
 */
export function installAuth(app: FastifyInstance, keys: ApiKeys, open: boolean): void {
  app.decorateRequest("apiKey", null);
  app.decorateRequest("authenticated", false);
  app.addHook("onRequest", async (request, reply) => {
    const presented = presentedKey(request.headers);
    const identity = presented === undefined ? null : keys.identify(presented);
    request.apiKey = identity;
    request.authenticated = open || identity !== null;
    if (open) return;
    const needed = request.routeOptions.config?.auth ?? defaultScope(request.method);
    if (needed === "public") return;
    if (identity === null) return unauthorized(reply, presented !== undefined);
    if (!identity.scopes.includes(needed)) {
      return sendError(reply, 403, {
        error: {
          code: "FORBIDDEN",
          message: `The API key "${identity.name}" lacks the ${needed} scope (it has: ${identity.scopes.join(", ")})`,
        },
      });
    }
  });
}

function unauthorized(reply: FastifyReply, wrongKey: boolean): FastifyReply {
  reply.header("www-authenticate", wrongKey ? `${CHALLENGE}, error="invalid_token"` : CHALLENGE);
  return sendError(reply, 401, {
    error: wrongKey
      ? { code: "UNAUTHORIZED", message: "The API key is not valid" }
      : {
          code: "UNAUTHORIZED",
          message:
            "An API key is required: send Authorization: Bearer <key>, x-api-key or x-conserver-api-token",
        },
  });
}
