import { z } from "zod";
import { corsSettingsSchema } from "../http/cors-settings.js";
import { primaryIssues, replicationSchema } from "../replication/settings.js";

/** 8080 unless `PORT` or `server.port` says otherwise. */
export const DEFAULT_PORT = 8080;
/** Loopback only: exposing the service is a deliberate choice in configuration. */
export const DEFAULT_HOST = "127.0.0.1";
/** Largest request body: core's default largest document (32 MiB) fits in one request. */
export const DEFAULT_BODY_LIMIT = 32 * 1024 * 1024;
/** Most documents in one `POST /vcons` array. */
export const DEFAULT_MAX_BATCH = 1000;
/** Where the embedded default keeps its data, relative to the working directory. */
export const DEFAULT_DATA_DIR = "./.data/pglite";
/** How long SIGTERM waits for requests in flight before aborting them. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
/** A whole request, body included: a 32 MiB upload at ~1 MB/s still fits. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
/** Time to receive a request's headers: slow-header clients cannot hold sockets for long. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
/** An idle keep-alive connection is closed after this long (Node's own default). */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** Shortest API key accepted: shorter ones are guessable. */
export const MIN_API_KEY_LENGTH = 16;

export const API_SCOPES = ["read", "write", "delete"] as const;
export type ApiScope = (typeof API_SCOPES)[number];

const storageName = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,62}$/i, "a storage name is a letter followed by letters, digits, _ or -");

export const storageEntrySchema = z
  .object({
    adapter: z.string().min(1, "name an adapter: postgres, memory, file, redis or a package name"),
    options: z.record(z.string(), z.unknown()).default({}),
    /** Receives every save and delete. */
    write: z.boolean().default(true),
    /** Asked, in configuration order, on reads. */
    read: z.boolean().default(true),
    /** Commits every write first (default: the first write storage); the others become replicas. */
    primary: z.boolean().default(false),
  })
  .strict();

export const apiKeySchema = z
  .object({
    /** Shown in access logs instead of the key. */
    name: z.string().min(1).max(64).optional(),
    key: z
      .string()
      .min(MIN_API_KEY_LENGTH, `an API key has at least ${MIN_API_KEY_LENGTH} characters`)
      .refine((key) => key.trim() === key, "an API key has no leading or trailing spaces"),
    scopes: z
      .array(z.enum(API_SCOPES))
      .min(1, "give the key at least one scope: read, write, delete")
      .default([...API_SCOPES]),
  })
  .strict();

const keysAuthSchema = z.object({ keys: z.array(apiKeySchema).default([]) }).strict();
type KeysAuth = z.output<typeof keysAuthSchema>;

/**
 * `none` serves without authentication (a warning at every start); otherwise a list of keys.
 * Not a z.union: a union reports "invalid input" at `server.auth` instead of the key's own path.
 */
export const authSchema = z.unknown().transform((value, context): "none" | KeysAuth => {
  if (value === "none") return "none";
  const parsed = keysAuthSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    context.addIssue({ code: "custom", path: issue.path, message: issue.message });
  }
  return z.NEVER;
}) as unknown as z.ZodType<"none" | KeysAuth, "none" | z.input<typeof keysAuthSchema>>;

export const serverSchema = z
  .object({
    host: z.string().min(1).default(DEFAULT_HOST),
    port: z.coerce.number().int().min(0).max(65535).default(DEFAULT_PORT),
    bodyLimit: z.coerce.number().int().min(1024).default(DEFAULT_BODY_LIMIT),
    maxBatch: z.coerce.number().int().min(1).max(10_000).default(DEFAULT_MAX_BATCH),
    logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    auth: authSchema.default({ keys: [] }),
    /** `storage`: a JSON object with a uuid. `draft`: the IETF draft's MUSTs too (legacy names are warnings). */
    validation: z.enum(["storage", "draft"]).default("storage"),
    requestTimeoutMs: z.coerce.number().int().min(1000).default(DEFAULT_REQUEST_TIMEOUT_MS),
    headersTimeoutMs: z.coerce.number().int().min(1000).default(DEFAULT_HEADERS_TIMEOUT_MS),
    keepAliveTimeoutMs: z.coerce.number().int().min(1000).default(DEFAULT_KEEP_ALIVE_TIMEOUT_MS),
    shutdownTimeoutMs: z.coerce.number().int().min(0).default(DEFAULT_SHUTDOWN_TIMEOUT_MS),
    /** CORS for browsers on other origins: off unless configured (http/cors-settings.ts). */
    cors: corsSettingsSchema,
  })
  .strict()
  .refine((server) => server.headersTimeoutMs <= server.requestTimeoutMs, {
    path: ["headersTimeoutMs"],
    message: "must not be longer than server.requestTimeoutMs",
  });

export const appConfigSchema = z
  .object({
    server: serverSchema.default(serverSchema.parse({})),
    storages: z
      .record(storageName, storageEntrySchema)
      .refine((storages) => Object.keys(storages).length > 0, "configure at least one storage")
      .refine(
        (storages) => Object.values(storages).some((s) => s.write),
        "at least one storage must have write: true",
      )
      .refine(
        (storages) => Object.values(storages).some((s) => s.read),
        "at least one storage must have read: true",
      )
      .superRefine((storages, context) => {
        for (const [path, message] of primaryIssues(storages))
          context.addIssue({ code: "custom", path, message });
      }),
    replication: replicationSchema.default(replicationSchema.parse({})),
  })
  .strict();

export type AppConfig = z.infer<typeof appConfigSchema>;
export type StorageEntry = z.infer<typeof storageEntrySchema>;
export type ServerSettings = z.infer<typeof serverSchema>;
export type ApiKeyConfig = z.infer<typeof apiKeySchema>;
export type AuthConfig = z.infer<typeof authSchema>;
/** What a config file may leave out: everything with a default. */
export type AppConfigInput = z.input<typeof appConfigSchema>;
