import { describeConformance } from "@vcon/storage-core/conformance";
import { RedisAdapter } from "../src/index.js";
import { deleteKeys, describeWithRedis, REDIS_URL, uniquePrefix } from "./redis-env.js";

const prefix = uniquePrefix("conformance");
let storages = 0;

await describeWithRedis("redis conformance", () => {
  describeConformance("redis", {
    // A sub-prefix per storage keeps every test's data apart.
    create: () => new RedisAdapter({ url: REDIS_URL, keyPrefix: `${prefix}${storages++}:` }),
    teardown: () => deleteKeys(prefix),
  });
});
