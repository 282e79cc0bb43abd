import compress from "@fastify/compress";
import cors from "@fastify/cors";
import type { FastifyInstance } from "fastify";
import type { CorsSettings } from "./cors-settings.js";

/** Headers a browser may send, and the ones it may read from answers. */
const ALLOWED_HEADERS = [
  "content-type",
  "authorization",
  "x-api-key",
  "x-conserver-api-token",
  "x-request-id",
];
const EXPOSED_HEADERS = ["vcon-storage", "vcon-storage-failures", "x-request-id", "retry-after", "allow"];

/**
 * Compressed answers (br or gzip, as the client accepts, above 1 KiB) and, when configured, CORS.
 * Register before any route: both hook into each route as it is added.
 */
export async function installTransport(app: FastifyInstance, settings: { cors: CorsSettings }) {
  await app.register(compress, { global: true, encodings: ["br", "gzip"], threshold: 1024 });
  if (settings.cors === false) return;
  const { origin, credentials, maxAge } = settings.cors;
  await app.register(cors, {
    // A list or one origin is matched exactly; "*" answers any origin.
    origin: origin === "*" ? "*" : [origin].flat(),
    credentials,
    maxAge,
    methods: ["GET", "HEAD", "POST", "PUT", "DELETE"],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
  });
}
