import { z } from "zod";
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

export const serverSchema = z
  .object({
    host: z.string().min(1).default(DEFAULT_HOST),
    port: z.coerce.number().int().min(0).max(65535).default(DEFAULT_PORT),
    bodyLimit: z.coerce.number().int().min(1024).default(DEFAULT_BODY_LIMIT),
    maxBatch: z.coerce.number().int().min(1).max(10_000).default(DEFAULT_MAX_BATCH),
    logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  .strict();

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
/** What a config file may leave out: everything with a default. */
export type AppConfigInput = z.input<typeof appConfigSchema>;
