/** The README's examples run and do what the README says; scripts/check-docs.mjs keeps each block equal to its file. */
import { expect, it } from "vitest";
import { withExistingClient } from "./readme/borrowed-client.example.js";
import { quickstart } from "./readme/quickstart.example.js";
import { deleteKeys, describeWithRedis, REDIS_URL, uniquePrefix } from "./redis-env.js";

await describeWithRedis("README examples", () => {
  it("quickstart: save, get, search and export with a ttl", async () => {
    const prefix = uniquePrefix("readme-quickstart");
    try {
      const result = await quickstart(REDIS_URL, prefix);
      expect(result).toMatchObject({ matches: 1, exported: 1, found: { subject: "Billing question" } });
    } finally {
      await deleteKeys(prefix);
    }
  });

  it("a borrowed client stays open after close()", async () => {
    const prefix = uniquePrefix("readme-borrowed");
    try {
      expect(await withExistingClient(REDIS_URL, prefix)).toEqual({ pruned: 0, stillWorks: "PONG" });
    } finally {
      await deleteKeys(prefix);
    }
  });
});
