// test/readme/cluster.example.ts
import { AdapterRegistry } from "@vcon/storage-core";
import { adapter } from "@vcon/storage-redis";

/** A Redis Cluster: name some of its nodes; the others are discovered, and every master gets vCons. */
export async function onCluster(nodes: string[], keyPrefix = "vcon:") {
  const registry = new AdapterRegistry().register(adapter);
  const storage = await registry.create({
    adapter: "redis",
    options: { cluster: nodes, keyPrefix, indexShards: 16, ttlSeconds: 24 * 60 * 60 },
  });
  try {
    const vcons = [1, 2, 3].map((n) => ({
      vcon: "0.3.0",
      uuid: `018f3c9e-7b1a-8c2d-9e3f-00000000000${n}`,
      created_at: `2024-03-0${n}T10:00:00Z`,
      subject: n === 2 ? "Refund request" : "Billing question",
    }));
    await storage.saveMany(vcons); // one vCon per chunk on a cluster: each lands whole
    const page = await storage.search({ since: "2024-03-01T00:00:00Z", limit: 10 }); // 16 shards, merged in order
    const refunds = await storage.search({ text: "refund" });
    return { ordered: page.items.map((v) => v.uuid), refunds: refunds.items.length };
  } finally {
    await storage.close();
  }
}
