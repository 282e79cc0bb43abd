import type { ChangeBacklog, ChangeClaim, StorageChange } from "@vcon/storage-core/adapter";
import type { Connection } from "../connect/index.js";
import type { TableName } from "../sql/identifiers.js";
import { statementName } from "../sql/search.js";
import { BODY_SQL } from "../sql/statements.js";
import { changeLogNames } from "./names.js";
import { recordChanges } from "./triggers.js";

/** The largest bigint: an acknowledged id beyond it cannot name a change. */
const MAX_ID = 9223372036854775807n;
const DIGITS = /^[0-9]{1,19}$/;

interface Statement {
  name: string;
  text: string;
}

/**
 * The table's change log (the `changes` capability): a transactional outbox that triggers fill in each
 * write's own transaction (see triggers.ts and migration 0003). Always on the primary: a read replica
 * would show a log behind the writes already acknowledged.
 */
export class ChangeLog {
  readonly #connection: Connection;
  readonly #target: TableName;
  readonly #read: Statement;
  readonly #acknowledge: Statement;
  readonly #pending: Statement;
  readonly #claim: Statement;

  constructor(connection: Connection, target: TableName) {
    this.#connection = connection;
    this.#target = target;
    const log = changeLogNames(target).table;
    // The uuid's state now, read as `get` reads it; epoch milliseconds computed by the server.
    this.#read = named(
      `SELECT c.id::text AS id, c.uuid::text AS uuid, ${BODY_SQL} AS body,
              floor(extract(epoch FROM c.recorded_at) * 1000)::float8 AS recorded_ms
       FROM ${log} c LEFT JOIN ${target.qualified} v ON v.id = c.uuid
       ORDER BY c.id LIMIT $1`,
    );
    this.#acknowledge = named(`DELETE FROM ${log} WHERE id = ANY($1::bigint[])`);
    this.#pending = named(
      `SELECT count(*)::float8 AS count,
              floor(extract(epoch FROM min(recorded_at)) * 1000)::float8 AS oldest_ms
       FROM ${log}`,
    );
    // Takes the claim when there is none, renews the holder's, or moves it on takeOver ($2); otherwise
    // changes nothing and answers the row as it stands (the second branch: no row came back above).
    const claim = changeLogNames(target).claim;
    const claimedMs = "floor(extract(epoch FROM claimed_at) * 1000)::float8 AS claimed_ms";
    this.#claim = named(
      `WITH taken AS (
         INSERT INTO ${claim} AS c (singleton, holder, claimed_at) VALUES (true, $1, now())
         ON CONFLICT (singleton) DO UPDATE SET holder = EXCLUDED.holder, claimed_at = greatest(now(), c.claimed_at)
         WHERE c.holder = EXCLUDED.holder OR $2::boolean
         RETURNING holder, claimed_at)
       SELECT holder, ${claimedMs} FROM taken
       UNION ALL
       SELECT holder, ${claimedMs} FROM ${claim} WHERE NOT EXISTS (SELECT FROM taken)`,
    );
  }

  record(on: boolean): Promise<void> {
    return recordChanges(this.#connection, this.#target, on);
  }

  async read(limit: number): Promise<StorageChange[]> {
    const rows = await this.#query<{ id: string; uuid: string; body: string | null; recorded_ms: number }>(
      this.#read,
      [limit],
    );
    return rows.map((row) => ({ id: row.id, uuid: row.uuid, json: row.body, recordedMs: row.recorded_ms }));
  }

  /** Ids that cannot be a change's (not a bigint) name none: they are ignored like unknown ones. */
  async acknowledge(ids: readonly string[]): Promise<void> {
    const known = ids.filter((id) => DIGITS.test(id) && BigInt(id) <= MAX_ID);
    if (known.length > 0) await this.#query(this.#acknowledge, [known]);
  }

  async pending(): Promise<ChangeBacklog> {
    const [row] = await this.#query<{ count: number; oldest_ms: number | null }>(this.#pending, []);
    return { count: row?.count ?? 0, oldestMs: row?.oldest_ms ?? null };
  }

  async claim(consumer: string, takeOver: boolean): Promise<ChangeClaim> {
    // Two first claims at once: the one that lost the insert may find no row in its snapshot, taken
    // before the winner committed. Asked again, it sees the winner's.
    for (let attempt = 0; ; attempt++) {
      const [row] = await this.#query<{ holder: string; claimed_ms: number }>(this.#claim, [
        consumer,
        takeOver,
      ]);
      if (row) return { holder: row.holder, claimedMs: row.claimed_ms };
      if (attempt === 2) throw new Error("the change log's claim row could not be read");
    }
  }

  #query<R>({ name, text }: Statement, values: unknown[]): Promise<R[]> {
    return this.#connection.query<R>(text, values, name);
  }
}

/** Named after its text, as search is: parsed and planned once per connection. */
function named(text: string): Statement {
  return { name: statementName(text), text };
}
