/**
 * The adapter on a real Redis Cluster: three masters started by this file on ports of their own
 * (test/cluster-env.ts), the whole conformance suite, and the cluster-specific promises: every vCon's
 * keys share one slot, the index shards spread over every master, search and export merge the shards
 * in (created_at, uuid) order.
 */
import { randomBytes } from "node:crypto";
import {
  AdapterRegistry,
  BatchError,
  fromAdapter,
  isStorageError,
  prepareVcon,
  type VconStorage,
} from "@vcon/storage-core";
import { describeConformance } from "@vcon/storage-core/conformance";
import { Cluster } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { adapter, RedisAdapter, type RedisOptions } from "../src/index.js";
import { shardTags, slotOf } from "../src/keys/slots.js";
import { AclWriteRefusal } from "./acl-refusal.js";
import { clusterSkipReason, keysOn, startCluster, type TestCluster } from "./cluster-env.js";
import { pagedUuids } from "./paging.js";
import { onCluster } from "./readme/cluster.example.js";

const uuidOf = (i: number) => `0190a3c4-0000-7000-8000-${String(i).padStart(12, "0")}`;
const skipReason = clusterSkipReason();

describe("cluster skip decision (test/cluster-env.ts)", () => {
  it("skips with the reason outside CI and fails under CI=true when a binary is missing", () => {
    expect(clusterSkipReason({}, ["vcon-no-such-redis-server"])).toContain(
      "vcon-no-such-redis-server not found",
    );
    expect(() => clusterSkipReason({ CI: "true" }, ["vcon-no-such-redis-server"])).toThrow(/CI=true/);
  });
});

if (skipReason !== null) {
  console.warn(`[storage-redis] Redis Cluster tests: skipped, ${skipReason}`);
  describe.skip(`Redis Cluster (skipped: ${skipReason})`, () => {
    it("needs redis-server and redis-cli", () => {});
  });
} else {
  const cluster: TestCluster = await startCluster();
  afterAll(() => cluster.stop());
  const run = randomBytes(4).toString("hex");
  let n = 0;
  const options = (extra: RedisOptions = {}): RedisOptions => ({
    cluster: cluster.urls,
    keyPrefix: `vcon-test:${run}:${n++}:`,
    ...extra,
  });
  const opened: VconStorage[] = [];
  const open = (extra: RedisOptions = {}) => {
    const redis = new RedisAdapter(options(extra));
    const storage = fromAdapter(redis);
    opened.push(storage);
    return { redis, storage, keyPrefix: redis.keyPrefix };
  };
  afterAll(() => Promise.all(opened.map((storage) => storage.close())));

  describe("Redis Cluster conformance", () => {
    const connectionName = `vcon-cluster-conformance-${run}`;
    /** Connections the masters hold for this suite's adapters (CLIENT LIST on each, by name). */
    const openConnections = async () => {
      const lists = await Promise.all(cluster.masters.map((master) => master.call("CLIENT", "LIST")));
      return lists
        .flatMap((list) => String(list).split("\n"))
        .filter((line) => line.includes(` name=${connectionName} `)).length;
    };
    // The failWrites hook: an ACL user on every master whose key rules leave out the refused documents.
    const refusal = new AclWriteRefusal(cluster.masters);
    describeConformance("redis cluster", {
      setup: () => refusal.create(),
      teardown: () => refusal.remove(),
      create: () =>
        new RedisAdapter(
          options({ connectionName, cluster: cluster.urls.map((url) => refusal.urlFor(url)) }),
        ),
      failWrites: (uuid) => refusal.refuse(uuid),
      restoreWrites: () => refusal.restore(),
      openResources: openConnections,
    });
  });

  describe("Redis Cluster", () => {
    it("hash slots are computed as the cluster computes them, and the shard tags spread over the slot range", async () => {
      const tags = shardTags(16);
      for (const text of [...tags, "vcon:", "héllo ☕", ""]) {
        expect(slotOf(text), text).toBe(await cluster.masters[0]!.call("CLUSTER", "KEYSLOT", text));
      }
      // Shard i's slot lies in the i-th sixteenth of the range, so 3 masters get 5 or 6 shards each.
      expect(tags.map((tag) => Math.floor(slotOf(tag) / 1024))).toEqual([...Array(16).keys()]);
    });

    it("every vCon's keys share one slot with its index shard, and the keys land on every master", async () => {
      const { storage, keyPrefix } = open();
      await storage.saveMany(Array.from({ length: 60 }, (_, i) => ({ vcon: "0.3.0", uuid: uuidOf(i) })));
      const perMaster = await Promise.all(cluster.masters.map((master) => keysOn(master, keyPrefix)));
      for (const keys of perMaster) expect(keys.length).toBeGreaterThan(0);
      const all = perMaster.flat();
      // 60 docs, 60 metas and one index set per shard that holds a vCon.
      expect(all.filter((key) => key.includes("}doc:"))).toHaveLength(60);
      expect(all.filter((key) => key.includes("}meta:"))).toHaveLength(60);
      for (let i = 0; i < 60; i++) {
        const uuid = uuidOf(i);
        const own = all.filter((key) => key.endsWith(uuid));
        const tag = own[0]!.slice(own[0]!.indexOf("{"), own[0]!.indexOf("}") + 1);
        expect(own.map((key) => key.slice(key.indexOf("{"), key.indexOf("}") + 1))).toEqual([tag, tag]);
        expect(all).toContain(`${keyPrefix}${tag}created`);
      }
    });

    it("search and export merge the shards in (created_at, uuid) order, paging with cursors", async () => {
      const { storage } = open();
      const documents = Array.from({ length: 45 }, (_, i) => ({
        vcon: "0.3.0",
        uuid: uuidOf(i),
        // Runs of equal created_at across shards, saved out of order.
        created_at: new Date(Date.UTC(2024, 0, 1) + ((i * 7) % 9) * 1000).toISOString(),
        subject: i % 3 === 0 ? "refund call" : "other",
      }));
      await storage.saveMany([...documents].reverse());
      const expected = [...documents]
        .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.uuid.localeCompare(b.uuid))
        .map((d) => d.uuid);
      expect(await pagedUuids(storage, 4)).toEqual(expected);
      const exported: string[] = [];
      for await (const vcon of storage.export({ batchSize: 6 })) exported.push(vcon.uuid as string);
      expect(exported).toEqual(expected);
      const refunds = await storage.search({ text: "refund", limit: 100 });
      expect(refunds.items.map((v) => v.uuid)).toEqual(
        expected.filter((uuid) => Number(uuid.slice(-12)) % 3 === 0),
      );
    });

    it("saveMany writes one vCon per chunk; a raw chunk spanning shards is refused whole", async () => {
      const { redis, storage } = open();
      expect(redis.maxBatchSize).toBe(1);
      const result = await storage.saveMany([1, 2, 3].map((i) => ({ vcon: "0.3.0", uuid: uuidOf(i) })));
      expect(result.chunks).toHaveLength(3);
      const chunk = [10, 11, 12, 13, 14, 15].map((i) => prepareVcon({ vcon: "0.3.0", uuid: uuidOf(i) }));
      const error = await redis.saveMany(chunk).catch((e: unknown) => e);
      expect(isStorageError(error, "VALIDATION")).toBe(true);
      expect(String(error)).toContain("several index shards");
      for (const vcon of chunk) expect(await redis.exists(vcon.uuid)).toBe(false);
    });

    it("a refused vCon in a saveMany stops it there: the chunks before it landed whole, BatchError says which", async () => {
      const refusal = new AclWriteRefusal(cluster.masters);
      await refusal.create();
      try {
        const storage = fromAdapter(
          new RedisAdapter(options({ cluster: cluster.urls.map((u) => refusal.urlFor(u)) })),
        );
        opened.push(storage);
        const vcons = [21, 22, 23].map((i) => ({ vcon: "0.3.0", uuid: uuidOf(i) }));
        await refusal.refuse(uuidOf(22));
        const error = await storage.saveMany(vcons).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(BatchError);
        expect((error as BatchError).landed).toEqual([{ start: 0, end: 1 }]);
        expect(await storage.exists(uuidOf(21))).toBe(true);
        expect(await storage.exists(uuidOf(22))).toBe(false);
        expect(await storage.exists(uuidOf(23))).toBe(false);
      } finally {
        await refusal.remove();
      }
    });

    it("pruneIndex walks every shard", async () => {
      const { redis, storage, keyPrefix } = open();
      await storage.saveMany(Array.from({ length: 20 }, (_, i) => ({ vcon: "0.3.0", uuid: uuidOf(i) })));
      const client = new Cluster(
        cluster.urls.map((url) => ({ host: "127.0.0.1", port: Number(new URL(url).port) })),
      );
      try {
        for (const i of [2, 9, 17]) {
          const [doc] = (await Promise.all(cluster.masters.map((m) => keysOn(m, keyPrefix))))
            .flat()
            .filter((key) => key.endsWith(`doc:${uuidOf(i)}`));
          await client.del(doc!, doc!.replace("}doc:", "}meta:"));
        }
      } finally {
        client.disconnect();
      }
      expect(await redis.pruneIndex()).toBe(3);
      expect(await redis.pruneIndex()).toBe(0);
      expect((await storage.search({ limit: 100 })).items).toHaveLength(17);
    });

    it("a borrowed Cluster client gets the cluster layout and stays open after close()", async () => {
      const client = new Cluster([{ host: "127.0.0.1", port: 7301 }]);
      const redis = new RedisAdapter({ client, keyPrefix: `vcon-test:${run}:borrowed:` });
      expect(redis.clustered).toBe(true);
      const storage = fromAdapter(redis);
      await storage.save({ vcon: "0.3.0", uuid: uuidOf(1), subject: "borrowed" });
      await storage.close();
      expect(client.status).toBe("ready");
      client.disconnect();
    });

    it("README: the cluster example saves, searches in order and finds text", async () => {
      const result = await onCluster([cluster.urls[1]!], `vcon-test:${run}:readme:`);
      expect(result).toEqual({
        ordered: [1, 2, 3].map((n) => `018f3c9e-7b1a-8c2d-9e3f-00000000000${n}`),
        refunds: 1,
      });
    });

    it.each([
      [{ cluster: ["redis://127.0.0.1:7301"], url: "redis://127.0.0.1:6379" }, "options.cluster"],
      [{ cluster: ["redis://127.0.0.1:7301"], keyPrefix: "{app}:" }, "options.keyPrefix"],
      [{ cluster: [] }, "options.cluster"],
      [{ cluster: ["/tmp/redis.sock"] }, "options.cluster[0]"],
      [{ cluster: ["redis://:a@127.0.0.1:7301", "redis://:b@127.0.0.1:7302"] }, "options.cluster"],
    ])("%j is VALIDATION naming %s", async (bad, path) => {
      const registry = new AdapterRegistry().register(adapter);
      const error = await registry.create({ adapter: "redis", options: bad }).catch((e: unknown) => e);
      if (!isStorageError(error, "VALIDATION")) return expect.fail(`expected VALIDATION, got ${error}`);
      expect(error.issues[0]?.path).toBe(path);
    });
  });
}
