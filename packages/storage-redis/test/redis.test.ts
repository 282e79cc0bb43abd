import { type AddressInfo, createServer, type Socket } from "node:net";
import { inspect } from "node:util";
import {
  AdapterRegistry,
  fromAdapter,
  isStorageError,
  type StorageError,
  type VconStorage,
} from "@vcon/storage-core";
import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { adapter, RedisAdapter, type RedisOptions } from "../src/index.js";
import { pagedUuids } from "./paging.js";
import {
  deleteKeys,
  describeWithRedis,
  keysUnder,
  probeRedis,
  REDIS_URL,
  rawClient,
  skipDecision,
  uniquePrefix,
} from "./redis-env.js";

const UUID = "0190a3c4-0000-7000-8000-000000000001";
const uuidOf = (i: number) => `0190a3c4-0000-7000-8000-${String(i).padStart(12, "0")}`;

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("expected a failure"),
    (error: unknown) => error,
  );
}

async function exportAll(storage: VconStorage, batchSize?: number): Promise<string[]> {
  const uuids: string[] = [];
  for await (const document of storage.export(batchSize ? { batchSize } : {}))
    uuids.push(document.uuid as string);
  return uuids;
}

describe("when no Redis answers", () => {
  const SECRET = "s3cr3t-Pa55word";

  it("a refused connection is UNAVAILABLE within connectTimeoutMs, and never shows the password", async () => {
    // Port 1 is closed on any ordinary machine: the connection is refused at once.
    const redis = new RedisAdapter({ url: `redis://user:${SECRET}@127.0.0.1:1`, connectTimeoutMs: 2000 });
    const storage = fromAdapter(redis);
    const started = Date.now();
    const error = await failure(storage.get(UUID));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(isStorageError(error, "UNAVAILABLE")).toBe(true);
    expect((error as StorageError).retryable).toBe(true);
    const shown = [
      String(error),
      (error as Error).stack,
      inspect(error, { depth: 10, showHidden: true }),
      inspect((error as Error).cause, { depth: 10 }),
      JSON.stringify(error),
      inspect(redis, { depth: 10, showHidden: true }),
      JSON.stringify(redis),
      inspect(storage, { depth: 10 }),
    ];
    for (const text of shown) expect(text).not.toContain(SECRET);
    await storage.close();
  });

  it("a percent-encoded password is hidden in both its forms", async () => {
    const storage = fromAdapter(
      new RedisAdapter({ url: "redis://:p%40ss%2Fw0rd-XYZ@127.0.0.1:1", connectTimeoutMs: 1000 }),
    );
    const error = await failure(storage.save({ vcon: "0.3.0", uuid: UUID }));
    expect(isStorageError(error, "UNAVAILABLE")).toBe(true);
    for (const text of [String(error), inspect(error, { depth: 10 }), inspect(storage, { depth: 10 })]) {
      expect(text).not.toContain("p@ss/w0rd-XYZ");
      expect(text).not.toContain("p%40ss%2Fw0rd-XYZ");
    }
    await storage.close();
  });

  /** A local TCP server that accepts connections and then does `onConnection` (or nothing). */
  async function fakeServer(onConnection: (socket: Socket) => void = () => {}) {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      onConnection(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `redis://127.0.0.1:${port}`,
      close: () => {
        for (const socket of sockets) socket.destroy();
        return new Promise((resolve) => server.close(resolve));
      },
    };
  }

  it("a server that accepts but never answers is UNAVAILABLE after connectTimeoutMs, not a hang", async () => {
    const silent = await fakeServer();
    const storage = fromAdapter(new RedisAdapter({ url: silent.url, connectTimeoutMs: 300 }));
    const started = Date.now();
    const error = await failure(storage.exists(UUID));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(1500);
    expect(isStorageError(error, "UNAVAILABLE")).toBe(true);
    expect(String(error)).toContain("timed out");
    await storage.close();
    await silent.close();
  });

  it("a server that is not Redis (an HTTP port) is UNAVAILABLE, not retryable, saying so", async () => {
    const http = await fakeServer((socket) => {
      socket.on("data", () => socket.end("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"));
    });
    const storage = fromAdapter(new RedisAdapter({ url: http.url, connectTimeoutMs: 1000 }));
    const error = await failure(storage.get(UUID));
    expect(isStorageError(error, "UNAVAILABLE")).toBe(true);
    expect(String(error)).toContain("does not speak the Redis protocol");
    expect((error as StorageError).retryable).toBe(false);
    await storage.close();
    await http.close();
  });

  it("a bad url or unknown option is VALIDATION naming the field, not its value", async () => {
    const registry = new AdapterRegistry().register(adapter);
    const badUrl = await failure(
      registry.create({ adapter: "redis", options: { url: "http://:hunter2@x" } }),
    );
    expect(isStorageError(badUrl, "VALIDATION")).toBe(true);
    expect(String(badUrl)).toContain("options.url");
    expect(String(badUrl)).not.toContain("hunter2");
    const unknown = await failure(registry.create({ adapter: "redis", options: { ttl: 5 } }));
    expect(isStorageError(unknown, "VALIDATION")).toBe(true);
    const zeroTtl = await failure(registry.create({ adapter: "redis", options: { ttlSeconds: 0 } }));
    expect(isStorageError(zeroTtl, "VALIDATION")).toBe(true);
    const spaced = await failure(registry.create({ adapter: "redis", options: { connectionName: "a b" } }));
    expect(isStorageError(spaced, "VALIDATION")).toBe(true);
    expect(String(spaced)).toContain("options.connectionName");
    // The constructor checks the same way, for code that builds the adapter directly.
    let direct: unknown;
    try {
      new RedisAdapter({ url: "http://:hunter2@x" });
    } catch (error) {
      direct = error;
    }
    expect(isStorageError(direct, "VALIDATION")).toBe(true);
    expect(String(direct)).toContain("options.url");
    expect(String(direct)).not.toContain("hunter2");
  });
});

describe("skip decision (test/redis-env.ts)", () => {
  it("runs when Redis answered", () => {
    expect(skipDecision(null, {})).toBeNull();
    expect(skipDecision(null, { CI: "true" })).toBeNull();
  });

  it("skips with the reason, and the URL's password hidden, when none answered outside CI", () => {
    const reason = skipDecision("connect ECONNREFUSED", { REDIS_URL: "redis://:pw-123@db:6380" });
    expect(reason).toContain("ECONNREFUSED");
    expect(reason).toContain("db:6380");
    expect(reason).not.toContain("pw-123");
  });

  it("fails under CI=true when none answered", () => {
    expect(() => skipDecision("connect ECONNREFUSED", { CI: "true" })).toThrow(/CI=true/);
  });

  it("the probe against a closed port skips outside CI and throws under CI", async () => {
    expect(await probeRedis("redis://127.0.0.1:1", {})).toMatch(
      /no Redis at REDIS_URL redis:\/\/127\.0\.0\.1:1.*ECONNREFUSED/,
    );
    await expect(probeRedis("redis://127.0.0.1:1", { CI: "true" })).rejects.toThrow(/CI=true/);
  });
});

await describeWithRedis("with Redis", () => {
  const prefix = uniquePrefix("adapter");
  let n = 0;
  const raw = rawClient();
  const opened: VconStorage[] = [];
  const open = (options: RedisOptions = {}) => {
    const keyPrefix = `${prefix}${n++}:`;
    const storage = fromAdapter(new RedisAdapter({ url: REDIS_URL, keyPrefix, ...options }));
    opened.push(storage);
    return { storage, keyPrefix };
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    raw.disconnect();
    await deleteKeys(prefix);
  });

  describe("expiry", () => {
    it("ttlSeconds sets the expiry of the document and its meta key, not of the index; a re-save renews it", async () => {
      const { storage, keyPrefix } = open({ ttlSeconds: 60 });
      await storage.save({ vcon: "0.3.0", uuid: UUID, created_at: "2024-01-01T00:00:00Z" });
      for (const key of [`${keyPrefix}doc:${UUID}`, `${keyPrefix}meta:${UUID}`]) {
        const pttl = await raw.pttl(key);
        expect(pttl).toBeGreaterThan(55_000);
        expect(pttl).toBeLessThanOrEqual(60_000);
      }
      expect(await raw.pttl(`${keyPrefix}created`)).toBe(-1);
      await raw.pexpire(`${keyPrefix}doc:${UUID}`, 5_000);
      await storage.save({ vcon: "0.3.0", uuid: UUID });
      expect(await raw.pttl(`${keyPrefix}doc:${UUID}`)).toBeGreaterThan(55_000);
    });

    it("without ttlSeconds nothing expires", async () => {
      const { storage, keyPrefix } = open();
      await storage.save({ vcon: "0.3.0", uuid: UUID });
      expect(await raw.pttl(`${keyPrefix}doc:${UUID}`)).toBe(-1);
      expect(await raw.pttl(`${keyPrefix}meta:${UUID}`)).toBe(-1);
    });

    it("a 1 s ttl really expires: get, exists, search and export stop returning it", async () => {
      const { storage, keyPrefix } = open({ ttlSeconds: 1 });
      await storage.save({ vcon: "0.3.0", uuid: UUID, subject: "short-lived" });
      expect(await storage.get(UUID)).not.toBeNull();
      const deadline = Date.now() + 3_000;
      while ((await raw.exists(`${keyPrefix}doc:${UUID}`, `${keyPrefix}meta:${UUID}`)) > 0) {
        if (Date.now() > deadline) throw new Error("the keys did not expire within 3 s of a 1 s ttl");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await storage.get(UUID)).toBeNull();
      expect(await storage.exists(UUID)).toBe(false);
      expect((await storage.search({ subject: "short" })).items).toEqual([]);
      expect(await exportAll(storage)).toEqual([]);
    });

    it("expired members leave the created_at index lazily, on the first scan that meets them", async () => {
      const { storage, keyPrefix } = open();
      await storage.saveMany([1, 2, 3, 4].map((i) => ({ vcon: "0.3.0", uuid: uuidOf(i), subject: `s${i}` })));
      // Expire two as Redis would, without waiting: PEXPIRE 1 ms, then until they are gone.
      for (const i of [2, 3]) {
        await raw.pexpire(`${keyPrefix}doc:${uuidOf(i)}`, 1);
        await raw.pexpire(`${keyPrefix}meta:${uuidOf(i)}`, 1);
      }
      while ((await raw.exists(`${keyPrefix}meta:${uuidOf(2)}`, `${keyPrefix}meta:${uuidOf(3)}`)) > 0) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(await raw.zcard(`${keyPrefix}created`)).toBe(4); // stale until a scan
      expect((await storage.search({})).items.map((v) => v.uuid)).toEqual([uuidOf(1), uuidOf(4)]);
      expect(await raw.zrange(`${keyPrefix}created`, 0, -1)).toEqual([uuidOf(1), uuidOf(4)]);
      expect(await exportAll(storage, 1)).toEqual([uuidOf(1), uuidOf(4)]);
    });

    it("pruneIndex removes exactly the expired members, whole index, and keeps live ones", async () => {
      const { keyPrefix } = open();
      const redis = new RedisAdapter({ url: REDIS_URL, keyPrefix });
      const storage = fromAdapter(redis);
      opened.push(storage);
      await storage.saveMany(Array.from({ length: 30 }, (_, i) => ({ vcon: "0.3.0", uuid: uuidOf(i) })));
      const gone = [3, 10, 29].map(uuidOf);
      await raw.del(...gone.flatMap((u) => [`${keyPrefix}doc:${u}`, `${keyPrefix}meta:${u}`]));
      expect(await redis.pruneIndex()).toBe(3);
      expect(await raw.zcard(`${keyPrefix}created`)).toBe(27);
      expect(await redis.pruneIndex()).toBe(0);
    });
  });

  it("export and search walk equal created_at runs in small batches without loss or repeats", async () => {
    const { storage } = open();
    const created_at = "2024-06-01T00:00:00Z";
    const uuids = Array.from({ length: 25 }, (_, i) => uuidOf(i));
    await storage.saveMany([...uuids].reverse().map((uuid) => ({ vcon: "0.3.0", uuid, created_at })));
    await storage.save({ vcon: "0.3.0", uuid: uuidOf(99), created_at: "2024-06-02T00:00:00Z" });
    expect(await exportAll(storage, 7)).toEqual([...uuids, uuidOf(99)]);
    expect(await pagedUuids(storage, 4)).toEqual([...uuids, uuidOf(99)]);
  });

  it("export pages a long run of equal created_at by keyset: deletes and inserts behind it skip and repeat nothing", async () => {
    const { storage } = open();
    const created_at = "2024-07-01T00:00:00Z";
    const uuids = Array.from({ length: 60 }, (_, i) => uuidOf(100 + i));
    await storage.saveMany(uuids.map((uuid) => ({ vcon: "0.3.0", uuid, created_at })));
    const seen: string[] = [];
    let inserted = 0;
    for await (const document of storage.export({ batchSize: 5 })) {
      seen.push(document.uuid as string);
      // Behind the walk: drop the vCon just yielded, and now and then add one that sorts before all.
      await storage.delete(document.uuid as string);
      if (seen.length % 3 === 0) await storage.save({ vcon: "0.3.0", uuid: uuidOf(inserted++), created_at });
    }
    expect(seen).toEqual(uuids);
  });

  it("refused credentials are UNAVAILABLE, not retryable, naming the cause and not the password", async () => {
    const url = new URL(REDIS_URL);
    url.username = "vcon-no-such-user";
    url.password = "Wr0ng-Pa55";
    const storage = fromAdapter(new RedisAdapter({ url: url.toString(), connectTimeoutMs: 2000 }));
    const error = await failure(storage.get(UUID));
    expect(isStorageError(error, "UNAVAILABLE")).toBe(true);
    expect((error as StorageError).retryable).toBe(false);
    expect(String(error)).toContain("WRONGPASS");
    expect(inspect(error, { depth: 10 })).not.toContain("Wr0ng-Pa55");
    await storage.close();
  });

  it("save and saveMany load the script again when Redis forgot it (SCRIPT FLUSH, restart)", async () => {
    const { storage } = open();
    await storage.save({ vcon: "0.3.0", uuid: uuidOf(1) });
    await raw.script("FLUSH");
    await storage.saveMany([2, 3].map((i) => ({ vcon: "0.3.0", uuid: uuidOf(i) })));
    await raw.script("FLUSH");
    await storage.save({ vcon: "0.3.0", uuid: uuidOf(4) });
    expect(await exportAll(storage)).toEqual([1, 2, 3, 4].map(uuidOf));
  });

  it("a command slower than commandTimeoutMs is UNAVAILABLE and retryable", async () => {
    const { storage } = open({ commandTimeoutMs: 50 });
    await storage.save({ vcon: "0.3.0", uuid: UUID }); // connected and the script loaded
    // CLIENT PAUSE holds every client's commands for 300 ms: the adapter's read cannot answer in time.
    await raw.call("CLIENT", "PAUSE", "300", "ALL");
    const started = Date.now();
    const error = await failure(storage.get(UUID));
    expect(Date.now() - started).toBeLessThan(250);
    expect(isStorageError(error, "UNAVAILABLE")).toBe(true);
    expect((error as StorageError).retryable).toBe(true);
  });

  it("connectionName names the adapter's connection in CLIENT LIST, and close() ends it", async () => {
    const connectionName = `vcon-test-${Date.now()}`;
    const named = async () =>
      String(await raw.call("CLIENT", "LIST"))
        .split("\n")
        .filter((line) => line.includes(` name=${connectionName} `)).length;
    const { storage } = open({ connectionName });
    await storage.get(UUID);
    expect(await named()).toBe(1);
    await storage.close();
    const deadline = Date.now() + 3_000;
    while ((await named()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await named()).toBe(0);
  });

  it("a command the user's ACL rules forbid is UNAVAILABLE, not retryable, and writes nothing", async () => {
    const user = `vcon-test-noperm-${Date.now()}`;
    await raw.call("ACL", "SETUSER", user, "on", ">Pw-123456", "+@all", "resetkeys", "%R~*");
    try {
      const url = new URL(REDIS_URL);
      url.username = user;
      url.password = "Pw-123456";
      const { storage, keyPrefix } = open({ url: url.toString() });
      const error = await failure(storage.save({ vcon: "0.3.0", uuid: UUID }));
      expect(isStorageError(error, "UNAVAILABLE")).toBe(true);
      expect((error as StorageError).retryable).toBe(false);
      expect(String(error)).toContain("NOPERM");
      expect(String(error)).not.toContain("Pw-123456");
      expect(await keysUnder(raw, keyPrefix)).toEqual([]);
    } finally {
      await raw.call("ACL", "DELUSER", user);
    }
  });

  it("the key prefix isolates two storages on one server", async () => {
    const a = open();
    const b = open();
    await a.storage.save({ vcon: "0.3.0", uuid: UUID, subject: "in a" });
    await b.storage.save({ vcon: "0.3.0", uuid: UUID, subject: "in b" });
    await b.storage.save({ vcon: "0.3.0", uuid: uuidOf(2), subject: "only b" });
    expect((await a.storage.get(UUID))?.subject).toBe("in a");
    expect((await b.storage.get(UUID))?.subject).toBe("in b");
    expect(await exportAll(a.storage)).toEqual([UUID]);
    expect((await a.storage.search({ subject: "only" })).items).toEqual([]);
    expect(await a.storage.delete(UUID)).toBe(true);
    expect((await b.storage.get(UUID))?.subject).toBe("in b");
    expect(await keysUnder(raw, a.keyPrefix)).toEqual([]);
    expect(await keysUnder(raw, b.keyPrefix)).toEqual(
      [
        `${b.keyPrefix}created`,
        ...[UUID, uuidOf(2)].flatMap((u) => [`${b.keyPrefix}doc:${u}`, `${b.keyPrefix}meta:${u}`]),
      ].sort(),
    );
  });

  describe("a borrowed client", () => {
    it("stays open after close(), and the adapter's keys are its own", async () => {
      const client = new Redis(REDIS_URL);
      const keyPrefix = `${prefix}borrowed:`;
      const storage = fromAdapter(new RedisAdapter({ client, keyPrefix }));
      await storage.save({ vcon: "0.3.0", uuid: UUID });
      await storage.close();
      expect(client.status).toBe("ready");
      expect(await client.get(`${keyPrefix}doc:${UUID}`)).toContain(UUID);
      expect(isStorageError(await failure(storage.get(UUID)), "CLOSED")).toBe(true);
      client.disconnect();
    });

    it("saveMany sends one round trip per chunk (one call of the save script)", async () => {
      const client = new Redis(REDIS_URL);
      await client.ping();
      const socket = client.stream as Socket;
      let writes = 0;
      const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
      socket.write = ((...args: unknown[]) => {
        writes++;
        return write(...args);
      }) as typeof socket.write;
      const storage = fromAdapter(new RedisAdapter({ client, keyPrefix: `${prefix}pipeline:` }));
      await storage.save({ vcon: "0.3.0", uuid: uuidOf(999) }); // the first save also loads the script
      writes = 0;
      const docs = Array.from({ length: 250 }, (_, i) => ({
        vcon: "0.3.0",
        uuid: uuidOf(i),
        subject: `n${i}`,
      }));
      await storage.saveMany(docs, { chunkSize: 100 });
      expect(writes).toBe(3);
      // The counter does count round trips: three single saves are three.
      writes = 0;
      for (const doc of docs.slice(0, 3)) await storage.save(doc);
      expect(writes).toBe(3);
      expect(await exportAll(storage)).toHaveLength(251);
      await storage.close();
      client.disconnect();
    });
  });
});
