// test/readme/borrowed-client.example.ts
import { fromAdapter } from "@vcon/storage-core";
import { RedisAdapter } from "@vcon/storage-redis";
import { Redis } from "ioredis";

/** Share the application's ioredis client: the adapter borrows it and close() leaves it open. */
export async function withExistingClient(url: string, keyPrefix: string) {
  const client = new Redis(url);
  const adapter = new RedisAdapter({ client, keyPrefix, ttlSeconds: 3600 });
  const storage = fromAdapter(adapter, { name: "working-set" });
  await storage.saveMany(
    [1, 2, 3].map((n) => ({ vcon: "0.3.0", uuid: `018f3c9e-7b1a-8c2d-9e3f-00000000000${n}` })),
  ); // one round trip per chunk of up to 1,000
  const pruned = await adapter.pruneIndex(); // drop index entries of expired vCons, e.g. from a timer
  await storage.close(); // leaves `client` open for the rest of the application
  const stillWorks = await client.ping();
  client.disconnect();
  return { pruned, stillWorks };
}
