import { type AdapterDefinition, defineAdapter } from "@vcon/storage-core/adapter";
import { RedisAdapter } from "./adapter.js";
import { NAME, type ResolvedRedisOptions, redisOptions, redisOptionsParser } from "./options.js";

export { RedisAdapter } from "./adapter.js";
export {
  DEFAULT_REDIS_URL,
  NAME,
  type RedisOptions,
  type ResolvedRedisOptions,
  redisOptions,
} from "./options.js";

/** Registered as `redis`: `createStorage({ adapter: "redis", options: { url } })`. */
export const adapter: AdapterDefinition<ResolvedRedisOptions> = defineAdapter({
  name: NAME,
  description: "Redis or Redis Cluster via ioredis: JSON per key, a created_at sorted set, optional expiry.",
  options: redisOptions,
  // The registry has parsed the options with `redisOptions`.
  create: (options) => new RedisAdapter(redisOptionsParser.trust(options)),
});

export default adapter;
