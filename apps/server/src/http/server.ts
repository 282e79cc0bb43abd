import type { Server } from "node:http";
import type { Writable } from "node:stream";
import type { AdapterRegistry } from "@vcon/storage-core";
import Fastify, { type FastifyHttpOptions, type FastifyInstance, LogController } from "fastify";
import { APP_VERSION } from "../app-version.js";
import { configurationLine, describeConfig } from "../config/describe.js";
import { configFrom, type LoadedConfig } from "../config/load.js";
import type { AppConfigInput } from "../config/schema.js";
import { registerReplicationMetrics } from "../replication/metrics.js";
import { StorageSet } from "../storages/storage-set.js";
import { installVconApi } from "./api.js";
import { ApiKeys, assertSafeExposure, installAuth } from "./auth.js";
import { installDraftValidation } from "./draft-validation.js";
import { installErrorHandlers } from "./errors.js";
import { healthRoutes } from "./health-routes.js";
import { metricsRoutes, observeRequests, ServiceMetrics } from "./metrics.js";
import {
  installRequestLogging,
  REDACTED_LOG_PATHS,
  requestId,
  requestScopedLogger,
  requestSerializer,
} from "./request-log.js";
import { GracefulShutdown } from "./shutdown.js";

/** How often Node looks for requests past their timeouts. */
const TIMEOUT_CHECK_INTERVAL_MS = 500;

/** The media types a body may have; anything else is 415. */
const BODY_MEDIA_TYPES = ["application/json", "application/vcon+json"];

export interface BuildServerOptions {
  /** Where adapter names are looked up; by default this app's dependencies. */
  registry?: AdapterRegistry;
  /** Where log lines go (JSON, one per line); stdout by default. */
  logStream?: Writable;
  /** Log the configuration line and the auth notice (default true); a retried start says them once. */
  announce?: boolean;
}

export interface VconServer {
  app: FastifyInstance;
  storages: StorageSet;
  /** Prometheus metrics; add your own collectors to `metrics.registry`. */
  metrics: ServiceMetrics;
  /** Listens on the configured host and port; resolves to the URL it listens on. */
  listen(): Promise<string>;
  /**
   * Stops accepting requests, lets those in flight finish within `server.shutdownTimeoutMs`, aborts
   * the rest, then closes every storage. Logs the start and end of the shutdown.
   */
  close(reason?: string): Promise<void>;
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
  // Refused before anything is opened: an exposed service without keys never starts.
  const keys = ApiKeys.fromConfig(settings.auth);
  assertSafeExposure(settings.host, settings.auth, keys);

  const fastifyOptions: FastifyHttpOptions<Server> = {
    bodyLimit: settings.bodyLimit,
    logger: {
      level: settings.logLevel,
      redact: REDACTED_LOG_PATHS,
      serializers: { req: requestSerializer },
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    // One access line per request (request-log.ts), with search values redacted, instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestId,
    requestTimeout: settings.requestTimeoutMs,
    keepAliveTimeout: settings.keepAliveTimeoutMs,
    http: {
      headersTimeout: settings.headersTimeoutMs,
      // Node checks request and header timeouts this often (30 s by default, which would let a slow
      // client hold a socket up to 30 s past its timeout).
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    },
    // Shutdown answers 503 in the project's envelope itself (shutdown.ts).
    return503OnClosing: false,
    // Unknown query parameters are errors, not silently dropped.
    ajv: { customOptions: { removeAdditional: false } },
  };
  const app = Fastify(fastifyOptions);

  if (options.announce !== false) await announce(app, loaded, keys);

  const metrics = new ServiceMetrics();
  const storages = await StorageSet.open(loaded.config, {
    logger: requestScopedLogger(app.log),
    onOperation: metrics.onOperation,
    secrets: loaded.secrets,
    ...(options.registry ? { registry: options.registry } : {}),
  });
  app.addHook("onClose", async () => storages.close());
  registerReplicationMetrics(metrics.registry, () => storages.replication());

  // Order matters: the id and logger first, then shutdown's 503, then the key check.
  installRequestLogging(app);
  const shutdown = new GracefulShutdown(app, settings.shutdownTimeoutMs);
  installAuth(app, keys, keys.size === 0);
  observeRequests(app, metrics);

  if (settings.validation === "draft") installDraftValidation(app);

  installErrorHandlers(app, loaded.secrets, { bodyLimit: settings.bodyLimit, mediaTypes: BODY_MEDIA_TYPES });
  // JSON bodies kept as sent (any other media type is 415), compression, CORS, OpenAPI and /docs, the routes.
  await installVconApi(app, {
    storages,
    maxBatch: settings.maxBatch,
    cors: settings.cors,
    version: APP_VERSION,
  });
  await app.register(healthRoutes, { storages });
  await app.register(metricsRoutes, { metrics });

  return {
    app,
    storages,
    metrics,
    listen: () => app.listen({ host: settings.host, port: settings.port }),
    close: (reason) => shutdown.close(reason),
  };
}

/** The start lines: where the configuration came from, each storage's target, and how requests are authenticated. */
async function announce(app: FastifyInstance, loaded: LoadedConfig, keys: ApiKeys): Promise<void> {
  const described = await describeConfig(loaded);
  app.log.info(
    { configuration: described.source, storages: described.storages },
    configurationLine(described),
  );
  for (const notice of loaded.notices ?? []) app.log.info(notice);
  if (loaded.config.server.auth === "none") {
    app.log.warn(
      "server.auth is none: every client that reaches this port can read, search and delete every vCon",
    );
  } else if (keys.size === 0) {
    app.log.info("no API key configured: open to loopback clients only (set VCON_API_KEY to require one)");
  }
}

function isLoaded(input: LoadedConfig | AppConfigInput): input is LoadedConfig {
  return typeof input === "object" && input !== null && "config" in input && "source" in input;
}
