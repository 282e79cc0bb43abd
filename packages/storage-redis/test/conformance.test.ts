import { describeConformance } from "@vcon/storage-core/conformance";
import { describe, it } from "vitest";
import { RedisAdapter } from "../src/index.js";
import { deleteKeys, probeRedis, REDIS_URL, uniquePrefix } from "./redis-env.js";

const unavailable = await probeRedis();
const prefix = uniquePrefix("conformance");
let storages = 0;

if (unavailable) {
  describe.skip(`redis conformance: skipped, ${unavailable}`, () => {
    it("needs a Redis", () => {});
  });
} else {
  describeConformance("redis", {
    // A sub-prefix per storage keeps every test's data apart.
    create: () => new RedisAdapter({ url: REDIS_URL, keyPrefix: `${prefix}${storages++}:` }),
    teardown: () => deleteKeys(prefix),
  });
}
