import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import {
  addPaths,
  baseDocument,
  type DocumentedRoute,
  type DocumentOptions,
  openApiPath,
} from "./document.js";

/** Where the API reference page is served (Swagger UI, from its npm package: works offline). */
export const DOCS_PREFIX = "/docs";

/**
 * Publishes the OpenAPI document at `/openapi.json` and the reference page at `/docs`. Call before
 * any route is registered: routes are collected as they are added, and the document lists each one
 * (hidden routes and automatic HEADs aside) once the app is ready.
 */
export async function installApiDocs(app: FastifyInstance, options: DocumentOptions): Promise<void> {
  const document = baseDocument(options);
  const routes: DocumentedRoute[] = [];
  app.addHook("onRoute", (route) => {
    // The reference page is as public as the document it shows.
    if (route.url.startsWith(DOCS_PREFIX)) route.config = { ...route.config, auth: "public" };
    if ((route.schema as { hide?: boolean } | undefined)?.hide) return;
    for (const method of [route.method].flat()) {
      // HEAD routes are Fastify's automatic twins of GET routes; OPTIONS belongs to CORS preflight.
      if (method === "HEAD" || method === "OPTIONS") continue;
      routes.push({ method, path: openApiPath(route.url) });
    }
  });
  app.addHook("onReady", async () => addPaths(document, routes));

  // Static mode: the document above is the one served, written by hand from shared schemas.
  await app.register(swagger, { mode: "static", specification: { document: document as never } });
  await app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    // Assets come from the package and the document from this server: no CDN, no validator badge.
    uiConfig: { validatorUrl: null, deepLinking: true, displayOperationId: true },
  });
  app.get("/openapi.json", { config: { auth: "public" }, schema: { hide: true } }, async () => app.swagger());
}
