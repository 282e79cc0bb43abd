import { optionsParser } from "@vcon/storage-core/adapter";
import { Cluster, Redis } from "ioredis";
import { z } from "zod";

/** The configuration name: `createStorage({ adapter: "redis", ... })`. */
export const NAME = "redis";

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

const redisUrl = z
  .string()
  .regex(/^(rediss?:\/\/|\/)/, "expected a redis:// or rediss:// URL, or a Unix socket path");

export const redisOptions = z
  .object({
    /** redis:// or rediss:// URL; `REDIS_URL` or redis://127.0.0.1:6379 when left out. */
    url: redisUrl.optional(),
    /**
     * Redis Cluster: URLs of some of its nodes (the rest are discovered). Keys carry hash tags so each
     * vCon's keys share one slot, and the created_at index is split into `indexShards` sorted sets.
     */
    cluster: z
      .array(redisUrl.regex(/^rediss?:\/\//, "expected a redis:// or rediss:// URL"))
      .min(1)
      .optional(),
    /** Cluster only: how many created_at index shards (hash tags) the vCons are spread over. */
    indexShards: z.number().int().min(1).max(1024).default(16),
    /** Prepended to every key this adapter writes. */
    keyPrefix: z.string().default("vcon:"),
    /** Expiry of every saved vCon, in seconds; none when left out. */
    ttlSeconds: z.number().int().positive().optional(),
    /** The name the adapter's connections carry in CLIENT LIST (`CLIENT SETNAME`), to tell them apart. */
    connectionName: z
      .string()
      .regex(/^[!-~]{1,128}$/, "expected 1 to 128 printable ASCII characters without spaces")
      .optional(),
    connectTimeoutMs: z.number().int().positive().default(5000),
    commandTimeoutMs: z.number().int().positive().optional(),
    /** An existing ioredis client (`Redis` or `Cluster`); the caller owns it, so close() leaves it open. */
    client: z
      .custom<Redis | Cluster>((value) => value instanceof Redis || value instanceof Cluster)
      .optional(),
  })
  .strict()
  .superRefine((options, context) => {
    const sources = (["url", "cluster", "client"] as const).filter((key) => options[key] !== undefined);
    if (sources.length > 1) {
      context.addIssue({
        code: "custom",
        path: [sources[1]!],
        message: `give one of url, cluster and client, not ${sources.join(" and ")}`,
      });
    }
    const clustered = options.cluster !== undefined || options.client instanceof Cluster;
    if (clustered && /[{}]/.test(options.keyPrefix)) {
      context.addIssue({
        code: "custom",
        path: ["keyPrefix"],
        message: "must not contain { or } on a cluster: the adapter's own hash tags place the keys",
      });
    }
  });

/** Options as callers write them. */
export type RedisOptions = z.input<typeof redisOptions>;
/** Options after the schema filled in the defaults. */
export type ResolvedRedisOptions = z.output<typeof redisOptions>;

/** Parses options once: the registry's (trusted in `create`) are not checked again by the constructor. */
export const redisOptionsParser = optionsParser({ name: NAME, options: redisOptions });
