// test/readme/quickstart.example.ts
import { AdapterRegistry } from "@vcon/storage-core";
import { adapter } from "@vcon/storage-redis";

/** vCons in Redis as a working set: each expires a day after its last save. */
export async function quickstart(url = "redis://127.0.0.1:6379", keyPrefix = "vcon:") {
  const registry = new AdapterRegistry().register(adapter);
  const storage = await registry.create({
    adapter: "redis",
    options: { url, keyPrefix, ttlSeconds: 24 * 60 * 60 },
  });
  try {
    const uuid = "018f3c9e-7b1a-8c2d-9e3f-0123456789ab";
    await storage.save({
      uuid,
      vcon: "0.3.0",
      created_at: "2024-03-01T10:00:00Z",
      subject: "Billing question",
      parties: [{ tel: "+15551234567", name: "Alice" }],
    });
    const found = await storage.get(uuid); // the document, or null (also once it expired)
    const page = await storage.search({ tel: "+15551234567", limit: 20 });
    let exported = 0;
    for await (const _vcon of storage.export({ since: "2024-01-01T00:00:00Z" })) exported++;
    return { found, matches: page.items.length, exported };
  } finally {
    await storage.close();
  }
}
