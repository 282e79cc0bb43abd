import type { PreparedVcon } from "@vcon/storage-core/adapter";
import type { Connection } from "../connect/index.js";
import { byUuid, rowColumns, rowValues } from "./row.js";
import type { Statements } from "./statements.js";

/** Most documents one coalesced statement carries. */
export const GROUP_MAX_DOCUMENTS = 256;
/** Most JSON bytes one coalesced statement carries. */
export const GROUP_MAX_BYTES = 1024 * 1024;
/**
 * Larger documents always go alone: their cost is their bytes, not the commit, and the grouped statement
 * (parameter arrays) moves large texts more slowly than a single statement does.
 */
export const SOLO_BYTES = 64 * 1024;

interface Pending {
  vcon: PreparedVcon;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit for `save`. A save goes straight to the database as its own statement while a connection
 * is free (no added latency for one caller, and the server's cores stay as busy as with plain statements).
 * Saves arriving while every connection is busy, which would otherwise wait for one, queue up, and as each
 * statement ends the queued ones go together as one multi-row upsert: one round trip and one commit for
 * all of them, each caller resolved only after that commit. There is no timer: a group is whatever queued meanwhile,
 * bounded by count and bytes.
 *
 * A group holds each uuid once, and a save of a uuid that a running statement writes waits for it, so
 * saves of one uuid apply in call order, the last one winning as serially. When the group's statement
 * fails, its saves are retried one by one, so one bad document fails only its own caller.
 */
export class GroupWriter {
  readonly #connection: Connection;
  readonly #sql: Statements;
  readonly #queue: Pending[] = [];
  /** Statements running now. */
  #running = 0;
  /** Uuids written by a running statement (with their count): a later save of one waits for it. */
  readonly #writing = new Map<string, number>();

  /** True for a failure of the server or the connection, not of the documents (see constructor). */
  readonly #unreachable: (error: unknown) => boolean;

  /**
   * `unreachable` tells a failure of the server (down, paused, timed out) from one of the documents: then
   * the saves queued behind the failed statement fail with it at once (they would wait a whole timeout
   * each for the same answer), and a failed group is not retried one save at a time.
   */
  constructor(connection: Connection, sql: Statements, unreachable: (error: unknown) => boolean) {
    this.#connection = connection;
    this.#sql = sql;
    this.#unreachable = unreachable;
  }

  save(vcon: PreparedVcon): Promise<void> {
    const free = !this.#writing.has(vcon.uuid);
    if (
      free &&
      ((this.#running < this.#connection.concurrency && this.#queue.length === 0) ||
        (vcon.bytes > SOLO_BYTES && !this.#queue.some((pending) => pending.vcon.uuid === vcon.uuid)))
    ) {
      return this.#run([vcon], () => this.#single(vcon));
    }
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ vcon, resolve, reject });
    });
  }

  /** Runs one statement for `vcons`, then starts what the queue holds. */
  #run<T>(vcons: readonly PreparedVcon[], work: () => Promise<T>): Promise<T> {
    this.#running++;
    for (const { uuid } of vcons) this.#writing.set(uuid, (this.#writing.get(uuid) ?? 0) + 1);
    const settle = (error?: unknown) => {
      this.#running--;
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
    while (this.#running < this.#connection.concurrency && this.#queue.length > 0) {
      const group = this.#take();
      if (group.length === 0) return; // all queued uuids wait for running statements
      // Each caller has its outcome already; nothing is left to handle here.
      this.#run(
        group.map((pending) => pending.vcon),
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
    const rest: Pending[] = [];
    for (const pending of this.#queue) {
      const { uuid, bytes: size } = pending.vcon;
      const fits =
        group.length === 0 || (group.length < GROUP_MAX_DOCUMENTS && bytes + size <= GROUP_MAX_BYTES);
      if (taken.has(uuid) || blocked.has(uuid) || this.#writing.has(uuid) || !fits) {
        blocked.add(uuid);
        rest.push(pending);
        continue;
      }
      taken.add(uuid);
      bytes += size;
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
