import { inspect } from "node:util";
import { fromAdapter, isStorageError } from "@vcon/storage-core";
import { expect, it } from "vitest";
import { RedisAdapter } from "../src/index.js";

const SECRET = "s3cr3t-Pa55word";

it("an unreachable Redis fails with UNAVAILABLE within the timeout, and never shows the password", async () => {
  // Port 1 is closed on any ordinary machine: the connection is refused at once.
  const adapter = new RedisAdapter({ url: `redis://user:${SECRET}@127.0.0.1:1`, connectTimeoutMs: 2000 });
  const storage = fromAdapter(adapter);
  const failure = await storage.get("0190a3c4-0000-7000-8000-000000000001").catch((e: unknown) => e);
  expect(isStorageError(failure, "UNAVAILABLE")).toBe(true);
  const shown = [
    String(failure),
    inspect(failure, { depth: 10 }),
    JSON.stringify(failure),
    inspect(adapter),
    JSON.stringify(adapter),
    inspect(storage),
  ];
  for (const text of shown) expect(text).not.toContain(SECRET);
  await storage.close();
});
