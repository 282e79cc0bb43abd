import {
  type AdapterDefinition,
  cursorOf,
  defineAdapter,
  type IndexedRecord,
  matchesQuery,
  type NormalizedExportOptions,
  type NormalizedSearchQuery,
  type PartyKeys,
  type PreparedVcon,
  parseOptionsSync,
  type SearchPage,
  type StorageAdapter,
  type VconDocument,
} from "@vcon/storage-core";
import { Redis } from "ioredis";
import { z } from "zod";
import { toStorageError } from "./errors.js";
import { PRUNE_SCRIPT, SAVE_SCRIPT, SAVE_SHA } from "./save-script.js";

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

export const redisOptions = z
  .object({
    /** redis:// or rediss:// URL; `REDIS_URL` or redis://127.0.0.1:6379 when left out. */
    url: z
      .string()
      .regex(/^(rediss?:\/\/|\/)/, "expected a redis:// or rediss:// URL, or a Unix socket path")
      .optional(),
    /** Prepended to every key this adapter writes. */
    keyPrefix: z.string().default("vcon:"),
    /** Expiry of every saved vCon, in seconds; none when left out. */
    ttlSeconds: z.number().int().positive().optional(),
    connectTimeoutMs: z.number().int().positive().default(5000),
    commandTimeoutMs: z.number().int().positive().optional(),
    /** An existing ioredis client; the caller owns it, so close() leaves it open. */
    client: z.custom<Redis>((value) => value instanceof Redis).optional(),
  })
  .strict();
export type RedisOptions = z.input<typeof redisOptions>;

/** What ioredis says about a connection already lost; the socket error that lost it says more. */
const GENERIC_CONNECTION_ERROR = /Stream isn't writeable|Connection is closed/;

/** What `<prefix>meta:<uuid>` holds; created_at lives in the `<prefix>created` sorted set's score. */
interface StoredMeta {
  subject: string | null;
  parties: PartyKeys[];
}

/**
 * vCons in Redis: `<prefix>doc:<uuid>` is the exact JSON text, `<prefix>meta:<uuid>` the search fields,
 * `<prefix>created` a sorted set (score created_at in ms, member uuid) for ordered listing.
 */
export class RedisAdapter implements StorageAdapter {
  readonly name = "redis";
  readonly capabilities = { delete: true, exists: true, saveMany: true, search: true, export: true };
  readonly maxBatchSize = 1000;
  readonly keyPrefix: string;
  readonly ttlSeconds: number | undefined;
  #client: Redis;
  #ownsClient: boolean;
  #secrets: string[];
  #connectTimeoutMs: number;
  #ready: Promise<void> | null = null;
  #lastError: Error | null = null;
  #scriptLoaded = false;

  constructor(options: RedisOptions = {}) {
    const parsed = parseOptionsSync({ name: "redis", options: redisOptions }, options);
    this.keyPrefix = parsed.keyPrefix;
    this.ttlSeconds = parsed.ttlSeconds;
    this.#connectTimeoutMs = parsed.connectTimeoutMs;
    if (parsed.client) {
      this.#client = parsed.client;
      this.#ownsClient = false;
      this.#secrets = secretsOf(parsed.client.options.password);
      return;
    }
    const url = parsed.url ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
    this.#secrets = secretsOfUrl(url);
    this.#ownsClient = true;
    this.#client = new Redis(url, {
      lazyConnect: true,
      connectTimeout: parsed.connectTimeoutMs,
      commandTimeout: parsed.commandTimeoutMs,
      maxRetriesPerRequest: 1,
      // Fail fast while disconnected instead of queueing calls that would hang.
      enableOfflineQueue: false,
      retryStrategy: (times) => Math.min(times * 100, 2000),
    });
    // Errors reach callers through the failed command; without a listener ioredis prints them. The last
    // one is kept: a refused AUTH shows up here, while the connect promise only says "Connection is closed."
    this.#client.on("error", (error: Error) => {
      if (this.#lastError === null || !GENERIC_CONNECTION_ERROR.test(error.message)) this.#lastError = error;
    });
  }

  async save(vcon: PreparedVcon): Promise<void> {
    await this.#run((client) =>
      this.#withScript(client, async () => {
        await client.evalsha(SAVE_SHA, 3, ...this.#saveArgs(vcon));
      }),
    );
  }

  async saveMany(chunk: readonly PreparedVcon[]): Promise<void> {
    await this.#run((client) =>
      this.#withScript(client, async () => {
        // One pipelined MULTI/EXEC per chunk: one round trip, and no other client sees part of it.
        const multi = client.multi();
        for (const vcon of chunk) multi.evalsha(SAVE_SHA, 3, ...this.#saveArgs(vcon));
        const results = await multi.exec();
        const failed = results?.find(([error]) => error);
        if (!results || failed) throw failed?.[0] ?? new Error("transaction aborted");
      }),
    );
  }

  async get(uuid: string): Promise<VconDocument | null> {
    return this.#run(async (client) => {
      const json = await client.get(this.#docKey(uuid));
      return json === null ? null : (JSON.parse(json) as VconDocument);
    });
  }

  async exists(uuid: string): Promise<boolean> {
    return this.#run(async (client) => (await client.exists(this.#docKey(uuid))) === 1);
  }

  async delete(uuid: string): Promise<boolean> {
    return this.#run(async (client) => {
      const results = await client
        .multi()
        .del(this.#docKey(uuid))
        .del(this.#metaKey(uuid))
        .zrem(this.#createdKey, uuid)
        .exec();
      return results?.[0]?.[1] === 1;
    });
  }

  async search(query: NormalizedSearchQuery): Promise<SearchPage> {
    return this.#run(async (client) => {
      const matches: IndexedRecord[] = [];
      const batchSize = Math.max(100, query.limit + 1);
      for await (const batch of this.#walk(client, query, batchSize)) {
        matches.push(...batch);
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
      for await (const batch of this.#walk(client, options, options.batchSize)) {
        if (options.signal.aborted) return;
        yield* await this.#documents(client, batch);
      }
    } catch (error) {
      throw toStorageError(error, this.#secrets);
    }
  }

  /**
   * Walks the whole created_at index and removes members whose keys have expired; returns how many.
   * Scans do this lazily for the range they read; call it where nothing scans (e.g. from a timer).
   */
  async pruneIndex(): Promise<number> {
    return this.#run(async (client) => {
      const stats = { removed: 0 };
      for await (const _batch of this.#walk(client, {}, 1000, stats)) {
        // Walking is the pruning.
      }
      return stats.removed;
    });
  }

  async close(): Promise<void> {
    if (!this.#ownsClient) return;
    try {
      if (this.#client.status === "ready") await this.#client.quit();
    } catch {
      // Already gone: nothing left to release.
    } finally {
      this.#client.disconnect();
    }
  }

  // Keeps the client (and so the password) out of logs and JSON.
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `RedisAdapter { keyPrefix: ${JSON.stringify(this.keyPrefix)} }`;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, keyPrefix: this.keyPrefix, ttlSeconds: this.ttlSeconds };
  }

  get #createdKey(): string {
    return `${this.keyPrefix}created`;
  }

  #docKey(uuid: string): string {
    return `${this.keyPrefix}doc:${uuid}`;
  }

  #metaKey(uuid: string): string {
    return `${this.keyPrefix}meta:${uuid}`;
  }

  #saveArgs(vcon: PreparedVcon): string[] {
    const meta: StoredMeta = { subject: vcon.subject, parties: [...vcon.parties] };
    return [
      this.#docKey(vcon.uuid),
      this.#metaKey(vcon.uuid),
      this.#createdKey,
      vcon.uuid,
      vcon.json,
      vcon.createdAtMs === null ? "" : String(vcon.createdAtMs),
      String(Date.now()),
      JSON.stringify(meta),
      this.ttlSeconds === undefined ? "" : String(this.ttlSeconds),
    ];
  }

  /**
   * Walks the created set in (score, member) order from the query's lower bound, yielding the records
   * that match. Pages are keyed on the last score read (an offset is used only within a run of equal
   * scores), so a long export costs O(log n) per batch, not O(offset). Members whose meta key has expired
   * are removed from the set on the way (lazy cleanup), atomically with a check that they are still gone.
   */
  async *#walk(
    client: Redis,
    query: Parameters<typeof matchesQuery>[1],
    batchSize: number,
    stats: { removed: number } = { removed: 0 },
  ): AsyncGenerator<IndexedRecord[]> {
    const afterMs = query.after ? Date.parse(query.after.createdAt) : Number.NEGATIVE_INFINITY;
    const sinceMs = query.since?.getTime() ?? Number.NEGATIVE_INFINITY;
    const lower = Math.max(afterMs, sinceMs);
    const max = query.until ? `(${query.until.getTime()}` : "+inf";
    let last: { createdAtMs: number; uuid: string } | null = null;
    let skip = 0;
    for (;;) {
      const min: string = last ? String(last.createdAtMs) : Number.isFinite(lower) ? String(lower) : "-inf";
      const flat: string[] = await client.zrangebyscore(
        this.#createdKey,
        min,
        max,
        "WITHSCORES",
        "LIMIT",
        skip,
        batchSize,
      );
      if (flat.length === 0) return;
      const members: Array<{ uuid: string; createdAtMs: number }> = [];
      for (let i = 0; i < flat.length; i += 2) {
        const member = { uuid: flat[i]!, createdAtMs: Number(flat[i + 1]) };
        // Never yield a member twice, even if the set changed under the walk.
        if (!last || member.createdAtMs > last.createdAtMs || member.uuid > last.uuid) members.push(member);
      }
      const tail: { uuid: string; createdAtMs: number } = {
        uuid: flat.at(-2)!,
        createdAtMs: Number(flat.at(-1)),
      };
      if (last && tail.createdAtMs === last.createdAtMs) skip += flat.length / 2;
      else skip = members.filter((m) => m.createdAtMs === tail.createdAtMs).length;
      last = tail;
      const metas = members.length > 0 ? await client.mget(members.map((m) => this.#metaKey(m.uuid))) : [];
      const expired: Array<{ uuid: string; createdAtMs: number }> = [];
      const matching: IndexedRecord[] = [];
      members.forEach((member, index) => {
        const text = metas[index];
        if (text == null) {
          expired.push(member);
          return;
        }
        const meta = JSON.parse(text) as StoredMeta;
        const record = { ...member, subject: meta.subject, parties: meta.parties };
        if (matchesQuery(record, query)) matching.push(record);
      });
      if (expired.length > 0) {
        const args = expired.flatMap((m) => [this.#metaKey(m.uuid), m.uuid]);
        const removed = (await client.eval(PRUNE_SCRIPT, 1, this.#createdKey, ...args)) as string[];
        stats.removed += removed.length;
        const gone = new Set(removed);
        skip -= expired.filter((m) => gone.has(m.uuid) && m.createdAtMs === tail.createdAtMs).length;
      }
      if (matching.length > 0) yield matching;
      if (flat.length / 2 < batchSize) return;
    }
  }

  /** The documents of `records`, in order; one that expired meanwhile is left out. */
  async #documents(client: Redis, records: readonly IndexedRecord[]): Promise<VconDocument[]> {
    if (records.length === 0) return [];
    const texts = await client.mget(records.map((r) => this.#docKey(r.uuid)));
    return texts.filter((t): t is string => t != null).map((t) => JSON.parse(t) as VconDocument);
  }

  /**
   * Runs `body`, which calls the save script by its SHA (so a chunk does not carry the script's text once
   * per vCon). The script is loaded once per adapter, and again when Redis forgot it (a restart, SCRIPT
   * FLUSH): every EVALSHA then fails with NOSCRIPT before writing anything, so the retry is safe.
   */
  async #withScript(client: Redis, body: () => Promise<void>): Promise<void> {
    if (!this.#scriptLoaded) {
      await client.script("LOAD", SAVE_SCRIPT);
      this.#scriptLoaded = true;
    }
    try {
      await body();
    } catch (error) {
      if (!/NOSCRIPT/.test(String((error as Error)?.message))) throw error;
      await client.script("LOAD", SAVE_SCRIPT);
      await body();
    }
  }

  async #run<T>(body: (client: Redis) => Promise<T>): Promise<T> {
    try {
      await this.#connect();
      return await body(this.#client);
    } catch (error) {
      // "Connection is closed" says less than the socket error that closed it (refused AUTH, not Redis...).
      const generic = GENERIC_CONNECTION_ERROR.test(String((error as Error)?.message));
      throw toStorageError(generic && this.#lastError ? this.#lastError : error, this.#secrets);
    }
  }

  /** Connects once, bounded by connectTimeoutMs, so an unreachable server fails fast instead of hanging. */
  #connect(): Promise<void> {
    if (this.#client.status === "ready") return Promise.resolve();
    if (this.#client.status !== "wait" && this.#client.status !== "end") {
      return this.#ready ?? this.#waitReady();
    }
    this.#lastError = null;
    this.#ready = this.#waitReady(this.#client.connect());
    this.#ready.catch(() => {
      this.#ready = null;
    });
    return this.#ready;
  }

  #waitReady(connecting?: Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        if (this.#ownsClient) this.#client.disconnect();
        reject(new Error(`connect timed out after ${this.#connectTimeoutMs} ms`));
      }, this.#connectTimeoutMs);
      const onReady = () => {
        cleanup();
        resolve();
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.#client.off("ready", onReady);
      };
      this.#client.once("ready", onReady);
      connecting?.then(onReady, (error: unknown) => {
        cleanup();
        if (this.#ownsClient) this.#client.disconnect();
        reject(this.#lastError ?? error);
      });
    });
  }
}

/** The URL's password, both as written (percent-encoded) and decoded, so neither form leaks. */
function secretsOfUrl(url: string): string[] {
  try {
    const raw = new URL(url).password;
    if (!raw) return [];
    let decoded = raw;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      // A malformed escape: the raw form is all there is.
    }
    return [...new Set([raw, decoded])];
  } catch {
    return [];
  }
}

function secretsOf(password: string | undefined): string[] {
  return password ? [password] : [];
}

/** Registered as `redis`: `createStorage({ adapter: "redis", options: { url } })`. */
export const adapter: AdapterDefinition<z.output<typeof redisOptions>> = defineAdapter({
  name: "redis",
  description: "Redis via ioredis: JSON per key, a created_at sorted set, optional expiry.",
  options: redisOptions,
  create: (options) => new RedisAdapter(options),
});

export default adapter;
