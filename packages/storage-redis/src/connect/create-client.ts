import { ValidationError } from "@vcon/storage-core/adapter";
import { Cluster, type ClusterNode, type RedisOptions as IoRedisOptions, Redis } from "ioredis";
import { DEFAULT_REDIS_URL, type ResolvedRedisOptions } from "../options.js";
import { secretsOf, secretsOfUrl } from "./secrets.js";

/** The client an adapter talks through, and what it knows about it. */
export interface ClientSetup {
  client: Redis | Cluster;
  /** Whether the adapter created it (and so closes it). */
  owned: boolean;
  /** Passwords to keep out of every message. */
  secrets: string[];
}

/**
 * Settings of a client the adapter owns: fail fast while disconnected instead of queueing calls that
 * would hang, and no reconnecting in the background (a lost or never-made connection ends the client;
 * the next call connects again, within connectTimeoutMs), so a server that comes back is always used.
 */
function connectionSettings(options: ResolvedRedisOptions): IoRedisOptions {
  return {
    lazyConnect: true,
    retryStrategy: () => null,
    connectTimeout: options.connectTimeoutMs,
    commandTimeout: options.commandTimeoutMs,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectionName: options.connectionName,
  };
}

export function createClient(options: ResolvedRedisOptions): ClientSetup {
  if (options.client) {
    const password =
      options.client instanceof Cluster
        ? options.client.options.redisOptions?.password
        : options.client.options.password;
    return { client: options.client, owned: false, secrets: secretsOf(password) };
  }
  if (options.cluster) return createCluster(options.cluster, options);
  const url = options.url ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
  const client = new Redis(url, connectionSettings(options));
  return { client, owned: true, secrets: secretsOfUrl(url) };
}

/**
 * A Cluster client from node URLs. The credentials and TLS of the URLs apply to every node, discovered
 * ones included, so all URLs must carry the same user and password.
 */
function createCluster(urls: readonly string[], options: ResolvedRedisOptions): ClientSetup {
  const parsed = urls.map((url) => new URL(url));
  const first = parsed[0]!;
  if (parsed.some((url) => url.username !== first.username || url.password !== first.password)) {
    throw new ValidationError("Invalid redis options", [
      { path: "options.cluster", message: "every node URL must carry the same user and password" },
    ]);
  }
  const nodes: ClusterNode[] = parsed.map((url) => ({ host: url.hostname, port: Number(url.port || 6379) }));
  const client = new Cluster(nodes, {
    lazyConnect: true,
    enableOfflineQueue: false,
    // No reconnecting in the background: the next call connects again (connect/connection.ts).
    clusterRetryStrategy: () => null,
    slotsRefreshTimeout: options.connectTimeoutMs,
    redisOptions: {
      ...connectionSettings(options),
      username: first.username ? decodeURIComponent(first.username) : undefined,
      password: first.password ? decodeURIComponent(first.password) : undefined,
      tls: first.protocol === "rediss:" ? {} : undefined,
    },
  });
  return { client, owned: true, secrets: [...new Set(urls.flatMap(secretsOfUrl))] };
}
