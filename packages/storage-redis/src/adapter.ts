import {
  ClosedError,
  cursorOf,
  type IndexedRecord,
  inspectSafely,
  type NormalizedExportOptions,
  type NormalizedSearchQuery,
  type PreparedVcon,
  type SearchPage,
  type StorageAdapter,
  ValidationError,
  type VconDocument,
} from "@vcon/storage-core/adapter";
import { Cluster } from "ioredis";
import { Connection } from "./connect/connection.js";
import { createClient } from "./connect/create-client.js";
import { toStorageError } from "./errors.js";
import { clusterLayout, type KeyLayout, type Shard, singleNodeLayout } from "./keys/layout.js";
import { NAME, type RedisOptions, redisOptionsParser } from "./options.js";
import { mergeOrdered } from "./scan/merge.js";
import type { StoredMeta } from "./scan/records.js";
import { pruneShard, walkShard } from "./scan/walk.js";
import { defineScripts, type ScriptedClient } from "./scripts/commands.js";

/**
 * vCons in Redis: `<prefix>doc:<uuid>` is the exact JSON text, `<prefix>meta:<uuid>` the search fields,
 * `<prefix>created` a sorted set (score created_at in ms, member uuid) for ordered listing. On a cluster
 * the same keys carry a hash tag naming one of `indexShards` shards (see keys/layout.ts).
 */
export class RedisAdapter implements StorageAdapter {
  readonly name = NAME;
  readonly capabilities = {
    delete: true,
    exists: true,
    saveMany: true,
    search: true,
    export: true,
    searchText: true,
    searchTags: true,
  };
  /**
   * 1000 on one server. 1 on a cluster: a chunk must land whole, and the vCons of one chunk belong to
   * several shards, on several nodes, which no single transaction spans.
   */
  readonly maxBatchSize: number;
  readonly keyPrefix: string;
  readonly ttlSeconds: number | undefined;
  /** Whether the adapter talks to a Redis Cluster. */
  readonly clustered: boolean;
  readonly #client: ScriptedClient;
  readonly #connection: Connection;
  readonly #layout: KeyLayout;
  readonly #secrets: readonly string[];
  #closed = false;

  constructor(options: RedisOptions = {}) {
    const parsed = redisOptionsParser.parse(options);
    this.keyPrefix = parsed.keyPrefix;
    this.ttlSeconds = parsed.ttlSeconds;
    const { client, owned, secrets } = createClient(parsed);
    this.clustered = client instanceof Cluster;
    this.maxBatchSize = this.clustered ? 1 : 1000;
    this.#layout = this.clustered
      ? clusterLayout(parsed.keyPrefix, parsed.indexShards)
      : singleNodeLayout(parsed.keyPrefix);
    this.#secrets = secrets;
    this.#client = defineScripts(client);
    this.#connection = new Connection(client, owned, parsed.connectTimeoutMs);
    // Keeps the client (and so the password) out of logs and JSON.
    inspectSafely(this, "RedisAdapter", () => ({
      name: this.name,
      keyPrefix: this.keyPrefix,
      ttlSeconds: this.ttlSeconds,
      clustered: this.clustered,
    }));
  }

  /** Core's open hook: connects within connectTimeoutMs. Every call also reconnects a lost client. */
  async open(): Promise<void> {
    await this.#run(async () => {});
  }

  async save(vcon: PreparedVcon): Promise<void> {
    await this.#run((client) => this.#saveInShard(client, this.#layout.shardOf(vcon.uuid), [vcon]));
  }

  /**
   * One script call per chunk: one round trip, and no other client sees part of it. On a cluster the
   * chunk must fall in one shard (core sends chunks of one there; see maxBatchSize).
   */
  async saveMany(chunk: readonly PreparedVcon[]): Promise<void> {
    if (chunk.length === 0) return;
    const shard = this.#layout.shardOf(chunk[0]!.uuid);
    if (chunk.some((vcon) => this.#layout.shardOf(vcon.uuid) !== shard)) {
      throw new ValidationError("Redis Cluster cannot write this chunk atomically", [
        {
          path: "chunk",
          message: "its vCons belong to several index shards (nodes); send chunks of maxBatchSize (1) vCon",
        },
      ]);
    }
    await this.#run((client) => this.#saveInShard(client, shard, chunk));
  }

  async get(uuid: string): Promise<VconDocument | null> {
    return this.#run(async (client) => {
      const json = await client.get(this.#layout.shardOf(uuid).docKey(uuid));
      return json === null ? null : (JSON.parse(json) as VconDocument);
    });
  }

  async exists(uuid: string): Promise<boolean> {
    return this.#run(async (client) => (await client.exists(this.#layout.shardOf(uuid).docKey(uuid))) === 1);
  }

  async delete(uuid: string): Promise<boolean> {
    const shard = this.#layout.shardOf(uuid);
    return this.#run(async (client) => {
      const results = await client
        .multi()
        .del(shard.docKey(uuid))
        .del(shard.metaKey(uuid))
        .zrem(shard.createdKey, uuid)
        .exec();
      return results?.[0]?.[1] === 1;
    });
  }

  async search(query: NormalizedSearchQuery): Promise<SearchPage> {
    return this.#run(async (client) => {
      const pageSize = Math.max(100, query.limit + 1);
      const matches: IndexedRecord[] = [];
      for await (const record of this.#scan(client, query, pageSize)) {
        matches.push(record);
        if (matches.length > query.limit) break;
      }
      const page = matches.slice(0, query.limit);
      const items = await this.#documents(client, page);
      const last = page.at(-1);
      return { items, nextCursor: matches.length > query.limit && last ? cursorOf(last) : null };
    });
  }

  async *export(options: NormalizedExportOptions): AsyncIterable<VconDocument> {
    const client = await this.#run(async (c) => c);
    try {
      let batch: IndexedRecord[] = [];
      for await (const record of this.#scan(client, options, options.batchSize)) {
        if (options.signal.aborted) return;
        batch.push(record);
        if (batch.length < options.batchSize) continue;
        yield* await this.#documents(client, batch);
        batch = [];
      }
      if (batch.length > 0 && !options.signal.aborted) yield* await this.#documents(client, batch);
    } catch (error) {
      throw toStorageError(this.#connection.explain(error), this.#secrets);
    }
  }

  /**
   * Walks the whole created_at index and removes members whose keys have expired; returns how many.
   * Scans do this lazily for the range they read; call it where nothing scans (e.g. from a timer).
   */
  async pruneIndex(): Promise<number> {
    return this.#run(async (client) => {
      let removed = 0;
      for (const shard of this.#layout.shards) removed += await pruneShard(client, shard, 1000);
      return removed;
    });
  }

  /** Quits an owned client (a borrowed one stays open); afterwards every call rejects with CLOSED. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#connection.close();
  }

  async #saveInShard(client: ScriptedClient, shard: Shard, vcons: readonly PreparedVcon[]): Promise<void> {
    // Every argument is built before anything is sent: a vCon that cannot be encoded writes nothing.
    const keys = [shard.createdKey];
    const args = [String(Date.now()), this.ttlSeconds === undefined ? "" : String(this.ttlSeconds)];
    for (const vcon of vcons) {
      const meta: StoredMeta = { subject: vcon.subject, parties: [...vcon.parties] };
      keys.push(shard.docKey(vcon.uuid), shard.metaKey(vcon.uuid));
      args.push(
        vcon.uuid,
        vcon.json,
        vcon.createdAtMs === null ? "" : String(vcon.createdAtMs),
        JSON.stringify(meta),
      );
    }
    await client.vconStorageSave(keys.length, ...keys, ...args);
  }

  /** The matching records of every shard, merged in (created_at, uuid) order. */
  #scan(
    client: ScriptedClient,
    filter: NormalizedSearchQuery | NormalizedExportOptions,
    pageSize: number,
  ): AsyncGenerator<IndexedRecord> {
    return mergeOrdered(this.#layout.shards.map((shard) => walkShard(client, shard, filter, pageSize)));
  }

  /** The documents of `records`, in order, one MGET per shard; one that expired meanwhile is left out. */
  async #documents(client: ScriptedClient, records: readonly IndexedRecord[]): Promise<VconDocument[]> {
    if (records.length === 0) return [];
    const byShard = new Map<Shard, number[]>();
    records.forEach((record, index) => {
      const shard = this.#layout.shardOf(record.uuid);
      const indexes = byShard.get(shard);
      if (indexes) indexes.push(index);
      else byShard.set(shard, [index]);
    });
    const texts = new Array<string | null>(records.length).fill(null);
    await Promise.all(
      [...byShard].map(async ([shard, indexes]) => {
        const found = await client.mget(indexes.map((i) => shard.docKey(records[i]!.uuid)));
        indexes.forEach((i, k) => {
          texts[i] = found[k] ?? null;
        });
      }),
    );
    return texts.filter((t): t is string => t !== null).map((t) => JSON.parse(t) as VconDocument);
  }

  async #run<T>(body: (client: ScriptedClient) => Promise<T>): Promise<T> {
    // A closed adapter never connects again.
    if (this.#closed) throw new ClosedError();
    try {
      await this.#connection.open();
      return await body(this.#client);
    } catch (error) {
      throw toStorageError(this.#connection.explain(error), this.#secrets);
    }
  }
}
