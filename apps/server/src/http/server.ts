import swagger from "@fastify/swagger";
import type { AdapterRegistry } from "@vcon/storage-core";
import Fastify, { type FastifyInstance } from "fastify";
import { configFrom, type LoadedConfig } from "../config/load.js";
import type { AppConfigInput } from "../config/schema.js";
import { StorageSet } from "../storages/storage-set.js";
import { installErrorHandlers } from "./errors.js";
import { healthRoutes } from "./health-routes.js";
import { vconRoutes } from "./vcon-routes.js";

export interface BuildServerOptions {
  /** Where adapter names are looked up; by default this app's dependencies. */
  registry?: AdapterRegistry;
}

export interface VconServer {
  app: FastifyInstance;
  storages: StorageSet;
  /** Listens on the configured host and port; resolves to the URL it listens on. */
  listen(): Promise<string>;
  /** Stops accepting requests, then closes every storage. */
  close(): Promise<void>;
}

/**
 * Opens the configured storages and builds the HTTP app on them. Takes a loaded configuration
 * (`loadConfig()`) or a plain config object, which is validated the same way.
 */
export async function buildServer(
  input: LoadedConfig | AppConfigInput,
  options: BuildServerOptions = {},
): Promise<VconServer> {
  const loaded = isLoaded(input) ? input : configFrom(input, "code");
  const { server: settings } = loaded.config;
  const app = Fastify({
    bodyLimit: settings.bodyLimit,
    logger: { level: settings.logLevel, redact: ["req.headers.authorization", "req.headers.cookie"] },
    // Unknown query parameters are errors, not silently dropped.
    ajv: { customOptions: { removeAdditional: false } },
  });
  const storages = await StorageSet.open(loaded.config, {
    logger: app.log,
    secrets: loaded.secrets,
    ...(options.registry ? { registry: options.registry } : {}),
  });
  app.addHook("onClose", async () => storages.close());
  // vCons are JSON: any other body is 415, not a string that fails later.
  app.removeContentTypeParser("text/plain");
  // The vCon draft's media type, parsed like JSON (same prototype-poisoning protection).
  app.addContentTypeParser(
    "application/vcon+json",
    { parseAs: "string" },
    app.getDefaultJsonParser("error", "error"),
  );

  installErrorHandlers(app, loaded.secrets);
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "vCon storage example server",
        version: "0.0.0",
        description: `Saves, reads, searches and deletes vCons across the configured storages (${storages.names.join(", ")}).`,
      },
    },
  });
  await app.register(vconRoutes, { storages, maxBatch: settings.maxBatch });
  await app.register(healthRoutes, { storages });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  return {
    app,
    storages,
    listen: () => app.listen({ host: settings.host, port: settings.port }),
    close: () => app.close(),
  };
}

function isLoaded(input: LoadedConfig | AppConfigInput): input is LoadedConfig {
  return typeof input === "object" && input !== null && "config" in input && "source" in input;
}
