import { headers, responses, schemas } from "./components.js";
import { type Operation, operations } from "./operations.js";

export interface DocumentOptions {
  title: string;
  version: string;
  description: string;
}

export interface DocumentedRoute {
  method: string;
  /** OpenAPI path syntax: `/vcons/{uuid}`. */
  path: string;
}

/** The API-key schemes of `server.auth`: any one of them authenticates a request. */
export const securitySchemes = {
  bearerAuth: {
    type: "http",
    scheme: "bearer",
    description: "`Authorization: Bearer <key>`: a key from `VCON_API_KEY` or `server.auth.keys`.",
  },
  apiKeyHeader: {
    type: "apiKey",
    in: "header",
    name: "x-api-key",
    description: "The same key in `x-api-key`.",
  },
  conserverToken: {
    type: "apiKey",
    in: "header",
    name: "x-conserver-api-token",
    description: "The same key in vcon-server's header, so conserver clients work unchanged.",
  },
} as const;

/** An OpenAPI 3.1 document without paths yet: they are added once every route is registered. */
export function baseDocument(options: DocumentOptions): Record<string, unknown> & {
  paths: Record<string, Record<string, unknown>>;
} {
  return {
    openapi: "3.1.0",
    info: {
      title: options.title,
      version: options.version,
      description: options.description,
      license: { name: "MIT", identifier: "MIT" },
    },
    servers: [{ url: "/", description: "The server this document was read from" }],
    tags: [
      { name: "vcons", description: "Save, read, search and delete vCons." },
      {
        name: "conserver",
        description: "vcon-server's (conserver's) routes and shapes, so its clients work unchanged.",
      },
      { name: "health", description: "Health, liveness and readiness." },
    ],
    security: Object.keys(securitySchemes).map((name) => ({ [name]: [] })),
    paths: {},
    components: { schemas, responses, headers, securitySchemes },
  };
}

/** Adds the operation of each route; a route missing from the catalogue gets a marked placeholder. */
export function addPaths(
  document: { paths: Record<string, Record<string, unknown>> },
  routes: readonly DocumentedRoute[],
): void {
  for (const { method, path } of routes) {
    const operation: Operation | undefined = operations[`${method} ${path}`];
    const entry = document.paths[path] ?? {};
    entry[method.toLowerCase()] = operation ?? {
      operationId: `undocumented${method}${path.replace(/[^a-z0-9]+/gi, "_")}`,
      summary: "Not described yet",
      "x-undocumented": true,
      responses: { default: { description: "Not described yet" } },
    };
    document.paths[path] = entry;
  }
}

/** `/vcons/:uuid` → `/vcons/{uuid}`. */
export function openApiPath(fastifyUrl: string): string {
  return fastifyUrl.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}
