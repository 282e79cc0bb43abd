import type { PreparedVcon } from "@vcon/storage-core/adapter";
import type { Connection } from "../connect/index.js";
import { byUuid, rowColumns, rowValues } from "./row.js";
import type { Statements } from "./statements.js";

/** Most documents one coalesced statement carries. */
export const GROUP_MAX_DOCUMENTS = 256;
/** Most JSON bytes one coalesced statement carries. */
export const GROUP_MAX_BYTES = 1024 * 1024;
/**
 * Larger documents always go alone, outside the in-flight bound: their cost is their bytes (the server
 * spent 9 ms per 50 KB document indexing and compressing it, against some 0.4 ms per statement that
 * grouping saves), so holding them to the bound only costs parallelism, and the grouped statement
 * (parameter arrays) moves large texts more slowly than a single statement does.
 */
export const SOLO_BYTES = 16 * 1024;
/**
 * The default bound on save statements in flight (option `maxWritesInFlight`; see GroupWriter). Measured
 * on a two-core machine at 16 callers (bench/src/save-probe.ts): 1 or 2 serialise a CPU-bound server
 * (0.5-0.7x of raw); 8 groups pairs of saves and kept the throughput of no bound at all.
 */
export const DEFAULT_WRITES_IN_FLIGHT = 8;

interface Pending {
  vcon: PreparedVcon;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit for `save`. At most `maxInFlight` save statements run at once, however large the pool.
 * A save that finds one of those slots free goes straight to the database as its own statement, at
 * once (no timer, so no added latency for one caller). Saves arriving while every slot is taken queue,
 * and as a statement ends the queue goes as one multi-row upsert: one round trip and one commit for all
 * of them, each caller resolved only after that commit. A group is whatever queued meanwhile, bounded
 * by count and bytes. The bound, not the pool, is what makes saves wait and so group: with a pool as
 * large as the number of callers nothing would ever wait.
 *
 * A group holds each uuid once, and a save of a uuid that a running statement writes waits for it, so
 * saves of one uuid apply in call order, the last one winning as serially. When the group's statement
 * fails, its saves are retried one by one, so one bad document fails only its own caller.
 */
export class GroupWriter {
  readonly #connection: Connection;
  readonly #sql: Statements;
  readonly #queue: Pending[] = [];
  /** Most bounded statements (single saves and groups, not SOLO_BYTES documents) running at once. */
  readonly #maxInFlight: number;
  /** Bounded statements running now. */
  #running = 0;
  /** Uuids written by a running statement (with their count): a later save of one waits for it. */
  readonly #writing = new Map<string, number>();

  /** True for a failure of the server or the connection, not of the documents (see constructor). */
  readonly #unreachable: (error: unknown) => boolean;

  /**
   * `unreachable` tells a failure of the server (down, paused, timed out) from one of the documents: then
   * the saves queued behind the failed statement fail with it at once (they would wait a whole timeout
   * each for the same answer), and a failed group is not retried one save at a time. `maxInFlight` is
   * capped by the connection's concurrency (1 on PGlite).
   */
  constructor(
    connection: Connection,
    sql: Statements,
    unreachable: (error: unknown) => boolean,
    maxInFlight = DEFAULT_WRITES_IN_FLIGHT,
  ) {
    this.#connection = connection;
    this.#sql = sql;
    this.#unreachable = unreachable;
    this.#maxInFlight = Math.max(1, Math.min(maxInFlight, connection.concurrency));
  }

  save(vcon: PreparedVcon): Promise<void> {
    if (this.#writing.has(vcon.uuid) || this.#queue.some((pending) => pending.vcon.uuid === vcon.uuid)) {
      return this.#enqueue(vcon);
    }
    if (vcon.bytes > SOLO_BYTES) return this.#run([vcon], false, () => this.#single(vcon));
    if (this.#running < this.#maxInFlight && this.#queue.length === 0) {
      return this.#run([vcon], true, () => this.#single(vcon));
    }
    return this.#enqueue(vcon);
  }

  #enqueue(vcon: PreparedVcon): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ vcon, resolve, reject });
    });
  }

  /** Runs one statement for `vcons`, then starts what the queue holds. */
  #run<T>(vcons: readonly PreparedVcon[], bounded: boolean, work: () => Promise<T>): Promise<T> {
    if (bounded) this.#running++;
    for (const { uuid } of vcons) this.#writing.set(uuid, (this.#writing.get(uuid) ?? 0) + 1);
    const settle = (error?: unknown) => {
      if (bounded) this.#running--;
      for (const { uuid } of vcons) {
        const left = this.#writing.get(uuid)! - 1;
        if (left === 0) this.#writing.delete(uuid);
        else this.#writing.set(uuid, left);
      }
      if (error !== undefined && this.#unreachable(error)) {
        for (const pending of this.#queue.splice(0)) pending.reject(error);
      }
      this.#next();
    };
    return work().then(
      (result) => {
        settle();
        return result;
      },
      (error: unknown) => {
        settle(error);
        throw error;
      },
    );
  }

  #single(vcon: PreparedVcon): Promise<void> {
    const { name, text } = this.#sql.save;
    return this.#connection.query(text, rowValues(vcon), name).then(() => {});
  }

  /** Starts queued saves as groups while statements may still start. */
  #next(): void {
    while (this.#running < this.#maxInFlight && this.#queue.length > 0) {
      const group = this.#take();
      if (group.length === 0) return; // all queued uuids wait for running statements
      // Each caller has its outcome already; nothing is left to handle here.
      this.#run(
        group.map((pending) => pending.vcon),
        true,
        () => this.#write(group),
      ).catch(() => {});
    }
  }

  /**
   * The next group: queue order, each uuid once, within the bounds. A save that cannot join (its uuid is
   * in the group already, or it does not fit) blocks its uuid, so no later save of that uuid passes it.
   */
  #take(): Pending[] {
    const group: Pending[] = [];
    const taken = new Set<string>();
    const blocked = new Set<string>();
    let bytes = 0;
    // A document over SOLO_BYTES (queued behind a write of its uuid) still goes alone.
    let alone = false;
    const rest: Pending[] = [];
    for (const pending of this.#queue) {
      const { uuid, bytes: size } = pending.vcon;
      const fits =
        group.length === 0 ||
        (!alone &&
          size <= SOLO_BYTES &&
          group.length < GROUP_MAX_DOCUMENTS &&
          bytes + size <= GROUP_MAX_BYTES);
      if (taken.has(uuid) || blocked.has(uuid) || this.#writing.has(uuid) || !fits) {
        blocked.add(uuid);
        rest.push(pending);
        continue;
      }
      taken.add(uuid);
      bytes += size;
      alone ||= size > SOLO_BYTES;
      group.push(pending);
    }
    this.#queue.splice(0, this.#queue.length, ...rest);
    return group;
  }

  async #write(group: Pending[]): Promise<void> {
    if (group.length === 1) {
      const [only] = group;
      await this.#single(only!.vcon).then(only!.resolve, only!.reject);
      return;
    }
    try {
      // Rows in id order, as every batch, so concurrent writers lock in the same order.
      const sorted = group.map((pending) => pending.vcon).sort(byUuid);
      const { name, text } = this.#sql.saveMany;
      await this.#connection.query(text, rowColumns(sorted), name);
    } catch (error) {
      if (this.#unreachable(error)) {
        for (const pending of group) pending.reject(error);
        throw error;
      }
      // Nothing of the group was written: each save on its own, each caller with its own outcome.
      for (const pending of group) await this.#single(pending.vcon).then(pending.resolve, pending.reject);
      return;
    }
    for (const pending of group) pending.resolve();
  }
}
