import type { PreparedVcon } from "@vcon/storage-core";
import type { Connection } from "../connect/index.js";
import { byUuid, rowColumns, rowValues } from "./row.js";
import type { Statements } from "./statements.js";

/** Most documents one coalesced statement carries. */
export const GROUP_MAX_DOCUMENTS = 256;
/** Most JSON bytes one coalesced statement carries. */
export const GROUP_MAX_BYTES = 8 * 1024 * 1024;

interface Pending {
  vcon: PreparedVcon;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit for `save`. A save with nothing in flight goes straight to the database as its own
 * statement (no added latency for one caller). Saves arriving while one is in flight queue up, and when
 * it ends they go together as one multi-row upsert: one round trip and one commit for all of them, each
 * caller resolved only after that commit. There is no timer: a group is whatever queued meanwhile,
 * bounded by count and bytes.
 *
 * A group holds each uuid once (a second save of a uuid waits for the next group, so saves of one uuid
 * apply in call order, the last one winning as serially). When the group's statement fails, its saves
 * are retried one by one, so one bad document fails only its own caller.
 */
export class GroupWriter {
  readonly #connection: Connection;
  readonly #sql: Statements;
  readonly #queue: Pending[] = [];
  #busy = false;

  constructor(connection: Connection, sql: Statements) {
    this.#connection = connection;
    this.#sql = sql;
  }

  save(vcon: PreparedVcon): Promise<void> {
    if (!this.#busy) {
      this.#busy = true;
      return this.#single(vcon).finally(() => this.#next());
    }
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ vcon, resolve, reject });
    });
  }

  #single(vcon: PreparedVcon): Promise<void> {
    const { name, text } = this.#sql.save;
    return this.#connection.query(text, rowValues(vcon), name).then(() => {});
  }

  /** Runs the queued saves as one group, then the next group, until the queue is empty. */
  #next(): void {
    const group = this.#take();
    if (group.length === 0) {
      this.#busy = false;
      return;
    }
    void this.#write(group).finally(() => this.#next());
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
      if (taken.has(uuid) || blocked.has(uuid) || !fits) {
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
    } catch {
      // Nothing of the group was written: each save on its own, each caller with its own outcome.
      for (const pending of group) await this.#single(pending.vcon).then(pending.resolve, pending.reject);
      return;
    }
    for (const pending of group) pending.resolve();
  }
}
