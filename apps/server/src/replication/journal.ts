import { randomUUID } from "node:crypto";
import { closeSync, fdatasync, mkdirSync, openSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, resolve } from "node:path";
import { promisify } from "node:util";
import { UnavailableError } from "@vcon/storage-core";
import Database from "better-sqlite3";
import { GroupCommit } from "./group-commit.js";
import { JOURNAL_SCHEMA } from "./schema.sql.js";

export type JournalOp = "save" | "delete";

const datasync = promisify(fdatasync);

/** Sessions of journals open in this process (two StorageSets on one file in one process, as tests do). */
const OPEN_SESSIONS = new Set<string>();

/** One write to replicate: a save carries the exact JSON text the primary stored. */
export interface JournalWrite {
  uuid: string;
  op: JournalOp;
  body: string | null;
}

/** A write the primary already committed (fed from its change log), with when it was recorded there. */
export interface RecordedWrite extends JournalWrite {
  recordedMs: number;
}

/** An entry owed to one replica. */
export interface Delivery {
  deliveryId: number;
  entryId: number;
  uuid: string;
  op: JournalOp;
  body: string | null;
  attempts: number;
}

export interface ReplicaBacklog {
  replica: string;
  /** Deliveries not yet acknowledged (dead letters excluded). */
  pending: number;
  /** When the oldest pending entry was written (epoch ms), or null. */
  oldestPendingMs: number | null;
  deadLetters: number;
  lastError: string | null;
  lastErrorMs: number | null;
  lastDeliveredMs: number | null;
}

export interface DeadLetter {
  id: number;
  replica: string;
  uuid: string;
  op: JournalOp;
  reason: string;
  createdMs: number;
}

/** `all`, or dead-letter ids; optionally one replica's only. */
export type DeadLetterSelection = { all: true; replica?: string } | { ids: readonly number[] };

/**
 * The replication journal: a SQLite file (WAL, each durable commit followed by an fdatasync of the
 * WAL, what `synchronous=FULL` does, but off the event loop; so an acknowledged entry survives
 * SIGKILL and power loss). Writes from concurrent requests share one transaction (group commit).
 * Every method is synchronous SQLite work kept short; the ones that must be durable before the
 * caller goes on return a promise that resolves after their commit.
 */
export class Journal {
  readonly file: string;
  /** This process's id in the journal: marks its in-flight intents and its replicator lease. */
  readonly session = randomUUID();
  /**
   * The journal's own id, made once with the file and kept in it: what the primary's change-log claim
   * names (a restarted process, or one on a host renamed since, is still this journal).
   */
  readonly id: string;
  readonly #db: Database.Database;
  readonly #commits: GroupCommit;
  readonly #statements: Statements;
  /**
   * Confirmations, acknowledgements and retry bookkeeping commit without waiting for a sync: losing
   * the last of them to a power cut only means settling from the primary again or delivering again,
   * both harmless. In WAL mode a lost commit is always a suffix, so what survives is a state the
   * journal was in. The next durable commit's sync covers them too.
   */
  readonly #lazyCommits: GroupCommit;
  /** The WAL file, opened to fdatasync it after durable commits. */
  readonly #wal: number;
  #closed = false;

  private constructor(file: string, db: Database.Database) {
    this.file = file;
    this.#db = db;
    this.#statements = prepareStatements(db);
    // The session row makes sure the WAL file exists before it is opened for syncing.
    this.#statements.addSession.run(this.session, process.pid, hostname(), Date.now());
    this.#statements.addIdentity.run(randomUUID());
    this.id = (this.#statements.identity.get() as { journal: string }).journal;
    this.#wal = openSync(`${file}-wal`, "r");
    const wal = this.#wal;
    this.#commits = new GroupCommit(
      (run) => db.transaction(run).immediate(),
      // The commit wrote its WAL frames; fdatasync of the WAL makes them durable, in libuv's
      // thread pool, so requests keep moving while the disk syncs.
      () => datasync(wal),
    );
    this.#lazyCommits = new GroupCommit((run) => db.transaction(run).immediate());
    OPEN_SESSIONS.add(this.session);
  }

  /** Opens (and creates) the journal file. Fails with UNAVAILABLE when the file cannot be used. */
  static open(file: string): Journal {
    const path = resolve(file);
    const opened: Database.Database[] = [];
    try {
      mkdirSync(dirname(path), { recursive: true });
      const db = new Database(path, { timeout: 5000 });
      opened.push(db);
      db.pragma("journal_mode = WAL");
      // Durable commits are synced explicitly (fdatasync of the WAL, off the event loop), which is
      // what synchronous=FULL does inside the commit; checkpoints still sync as NORMAL does.
      db.pragma("synchronous = NORMAL");
      db.exec(JOURNAL_SCHEMA);
      return new Journal(path, db);
    } catch (error) {
      for (const db of opened) db.close();
      throw journalError("could not be opened", error);
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Records one intent entry per write, owed to every replica, durably. Call before the primary
   * write; resolves with the entry ids, in the order given.
   */
  append(writes: readonly JournalWrite[], replicas: readonly string[]): Promise<number[]> {
    const now = Date.now();
    return this.#durable("could not record the write", (st) =>
      writes.map((write) => {
        const id = Number(
          st.addEntry.run(write.uuid, write.op, write.body, this.session, now).lastInsertRowid,
        );
        for (const replica of replicas) st.addDelivery.run(id, replica, write.uuid);
        return id;
      }),
    );
  }

  /**
   * Records writes the primary already committed (from its change log), deliverable at once, owed to
   * every replica, durably: the change may be acknowledged on the primary once this resolves.
   */
  record(writes: readonly RecordedWrite[], replicas: readonly string[]): Promise<void> {
    return this.#durable("could not record the primary's changes", (st) => {
      for (const write of writes) {
        const id = Number(
          st.addConfirmed.run(write.uuid, write.op, write.body, this.session, write.recordedMs)
            .lastInsertRowid,
        );
        for (const replica of replicas) st.addDelivery.run(id, replica, write.uuid);
      }
    });
  }

  /** The primary committed these entries: they may be delivered. */
  confirm(ids: readonly number[]): Promise<void> {
    return this.#bookkeeping("could not confirm entries", (st) => {
      for (const id of ids) st.setState.run("confirmed", id);
    });
  }

  /** The primary's outcome is unknown: these entries are settled later from its own state. */
  markUnresolved(ids: readonly number[]): Promise<void> {
    return this.#bookkeeping("could not mark entries unresolved", (st) => {
      for (const id of ids) st.setState.run("unresolved", id);
    });
  }

  /** The primary refused these writes and stored nothing: there is nothing to replicate. */
  discard(ids: readonly number[]): Promise<void> {
    return this.#bookkeeping("could not discard entries", (st) => {
      for (const id of ids) {
        st.deleteDeliveriesOfEntry.run(id);
        st.deleteEntry.run(id);
      }
    });
  }

  /**
   * Intents of processes that are gone (killed between the journal and the primary) become
   * unresolved, and those processes' sessions are forgotten. Returns how many intents.
   */
  recoverIntents(): number {
    const sessions = this.#statements.otherSessions.all() as { session: string }[];
    let recovered = 0;
    this.#db.transaction(() => {
      for (const { session } of sessions) {
        if (this.#sessionAlive(session)) continue;
        recovered += this.#statements.unresolveSession.run(session).changes;
        this.#statements.deleteSession.run(session);
      }
    })();
    return recovered;
  }

  /** Unresolved entries, oldest first. */
  unresolved(limit: number): { id: number; uuid: string }[] {
    return this.#statements.unresolved.all(limit) as { id: number; uuid: string }[];
  }

  /** Settles unresolved entries with the primary's current state of their uuid. */
  resolve(ids: readonly number[], op: JournalOp, body: string | null): Promise<void> {
    return this.#bookkeeping("could not settle entries", (st) => {
      for (const id of ids) st.settle.run(op, body, id);
    });
  }

  /** Deliverable entries for a replica (confirmed, not dead, not backing off), oldest first. */
  deliverable(replica: string, limit: number, now = Date.now()): Delivery[] {
    return this.#statements.deliverable.all(replica, now, limit) as Delivery[];
  }

  /**
   * The replica holds the state of entry `entryId` for `uuid`: that entry and every earlier one
   * of the uuid (superseded, dead letters included) are done for this replica.
   */
  acknowledge(replica: string, done: readonly { uuid: string; entryId: number }[]): Promise<void> {
    return this.#bookkeeping("could not record deliveries", (st) => {
      const touched = new Set<number>();
      for (const { uuid, entryId } of done) {
        for (const row of st.ackDeliveries.all(replica, uuid, entryId) as {
          entry_id: number;
        }[])
          touched.add(row.entry_id);
      }
      for (const id of touched) st.deleteEntryIfDone.run(id);
      st.noteDelivered.run({ name: replica, at: Date.now() });
    });
  }

  /** A transient failure: try these deliveries again after `notBeforeMs`. */
  postpone(deliveryIds: readonly number[], reason: string, notBeforeMs: number): Promise<void> {
    return this.#bookkeeping("could not record a failed delivery", (st) => {
      for (const id of deliveryIds) st.postpone.run(notBeforeMs, reason, id);
    });
  }

  /**
   * The replica refused the document for good (e.g. VALIDATION on its size limit): the delivery
   * becomes a dead letter with the reason; older deliveries of the uuid are superseded by it.
   */
  deadLetter(replica: string, delivery: Delivery, reason: string): Promise<void> {
    return this.#bookkeeping("could not record a dead letter", (st) => {
      st.markDead.run(reason, delivery.deliveryId);
      const touched = st.deleteOlderDeliveries.all(replica, delivery.uuid, delivery.entryId) as {
        entry_id: number;
      }[];
      for (const row of touched) st.deleteEntryIfDone.run(row.entry_id);
    });
  }

  /** Remembers a replica's latest failure (shown by status), or clears it with null. */
  noteReplicaError(replica: string, error: string | null): Promise<void> {
    return this.#bookkeeping("could not record a replica's state", (st) => {
      st.noteError.run({ name: replica, error, at: error === null ? null : Date.now() });
    });
  }

  /** Per replica: pending deliveries, the oldest one's age, dead letters and the last error. */
  backlog(replicas: readonly string[]): ReplicaBacklog[] {
    const counts = new Map(
      (this.#statements.counts.all() as CountRow[]).map((row) => [row.replica, row] as const),
    );
    const notes = new Map((this.#statements.notes.all() as NoteRow[]).map((row) => [row.name, row] as const));
    const names = [...new Set([...replicas, ...counts.keys()])];
    return names.map((replica) => {
      const count = counts.get(replica);
      const note = notes.get(replica);
      return {
        replica,
        pending: count?.pending ?? 0,
        oldestPendingMs: count?.oldest ?? null,
        deadLetters: count?.dead ?? 0,
        lastError: note?.last_error ?? null,
        lastErrorMs: note?.last_error_ms ?? null,
        lastDeliveredMs: note?.last_delivered_ms ?? null,
      };
    });
  }

  /** Entries whose primary outcome is not settled yet (in flight or unresolved). */
  unsettledCount(): number {
    return (this.#statements.unsettledCount.get() as { n: number }).n;
  }

  deadLetters(replica?: string): DeadLetter[] {
    return (this.#statements.deadLetters.all({ replica: replica ?? null }) as DeadLetter[]).map((row) => ({
      ...row,
    }));
  }

  /** Dead letters back into the queue. Returns how many. */
  retry(selection: DeadLetterSelection): Promise<number> {
    return this.#durable("could not retry dead letters", (st) => {
      if ("ids" in selection) return selection.ids.reduce((sum, id) => sum + st.retryOne.run(id).changes, 0);
      return st.retryAll.run({ replica: selection.replica ?? null }).changes;
    });
  }

  /** Dead letters removed on purpose (the replica will not get them). Returns how many. */
  drop(selection: DeadLetterSelection): Promise<number> {
    return this.#durable("could not drop dead letters", (st) => {
      const rows =
        "ids" in selection
          ? selection.ids.flatMap((id) => st.dropOne.all(id) as { entry_id: number }[])
          : (st.dropAll.all({ replica: selection.replica ?? null }) as { entry_id: number }[]);
      for (const row of rows) st.deleteEntryIfDone.run(row.entry_id);
      return rows.length;
    });
  }

  /**
   * Takes or renews the replicator lease: one process delivers from a journal at a time, so two
   * processes never deliver one uuid's entries out of order. True when this process holds it.
   */
  claimLease(): boolean {
    return this.#db
      .transaction(() => {
        const holder = this.#statements.lease.get() as { session: string } | undefined;
        if (holder && holder.session !== this.session && this.#sessionAlive(holder.session)) return false;
        this.#statements.takeLease.run({ session: this.session, at: Date.now() });
        return true;
      })
      .immediate();
  }

  /** Waits for queued work and its sync, releases the lease and this session, closes the file. Safe twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#commits.flush();
    this.#lazyCommits.flush();
    this.#closed = true;
    await this.#commits.settled();
    try {
      this.#statements.releaseLease.run(this.session);
      if ((this.#statements.sessionIntents.get(this.session) as { n: number }).n === 0)
        this.#statements.deleteSession.run(this.session);
    } finally {
      OPEN_SESSIONS.delete(this.session);
      this.#db.close();
      closeSync(this.#wal);
    }
  }

  /** Work that must survive power loss before the caller goes on: resolves after the WAL's fdatasync. */
  #durable<T>(what: string, work: (statements: Statements) => T): Promise<T> {
    return this.#queue(this.#commits, what, () => work(this.#statements));
  }

  /** Work a power cut may undo without harm: see `#lazyCommits`. */
  #bookkeeping<T>(what: string, work: (statements: Statements) => T): Promise<T> {
    return this.#queue(this.#lazyCommits, what, () => work(this.#statements));
  }

  #queue<T>(commits: GroupCommit, what: string, work: () => T): Promise<T> {
    if (this.#closed) return Promise.reject(journalError(what, new Error("the journal is closed")));
    return commits.run(work).catch((error: unknown) => {
      throw journalError(what, error);
    });
  }

  #sessionAlive(session: string): boolean {
    if (session === this.session || OPEN_SESSIONS.has(session)) return true;
    const row = this.#statements.session.get(session) as { pid: number; host: string } | undefined;
    if (!row) return false;
    // Another machine sharing the file cannot be checked: treat it as alive (the journal is local).
    if (row.host !== hostname()) return true;
    // Our own pid under another session: that process is gone (a restarted container reuses pids).
    if (row.pid === process.pid) return false;
    try {
      process.kill(row.pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === "EPERM";
    }
  }
}

interface CountRow {
  replica: string;
  pending: number;
  dead: number;
  oldest: number | null;
}

interface NoteRow {
  name: string;
  last_error: string | null;
  last_error_ms: number | null;
  last_delivered_ms: number | null;
}

function journalError(what: string, error: unknown): UnavailableError {
  const detail = error instanceof Error ? error.message : String(error);
  return new UnavailableError(`The replication journal ${what}: ${detail}`, { cause: error });
}

type Statements = ReturnType<typeof prepareStatements>;

function prepareStatements(db: Database.Database) {
  return {
    addSession: db.prepare("INSERT INTO sessions (session, pid, host, started_ms) VALUES (?, ?, ?, ?)"),
    addIdentity: db.prepare("INSERT OR IGNORE INTO identity (id, journal) VALUES (1, ?)"),
    identity: db.prepare("SELECT journal FROM identity WHERE id = 1"),
    session: db.prepare("SELECT pid, host FROM sessions WHERE session = ?"),
    deleteSession: db.prepare("DELETE FROM sessions WHERE session = ?"),
    sessionIntents: db.prepare("SELECT COUNT(*) AS n FROM entries WHERE session = ? AND state = 'intent'"),
    addEntry: db.prepare(
      "INSERT INTO entries (uuid, op, body, state, session, created_ms) VALUES (?, ?, ?, 'intent', ?, ?)",
    ),
    addConfirmed: db.prepare(
      "INSERT INTO entries (uuid, op, body, state, session, created_ms) VALUES (?, ?, ?, 'confirmed', ?, ?)",
    ),
    addDelivery: db.prepare("INSERT INTO deliveries (entry_id, replica, uuid) VALUES (?, ?, ?)"),
    setState: db.prepare("UPDATE entries SET state = ? WHERE id = ?"),
    deleteDeliveriesOfEntry: db.prepare("DELETE FROM deliveries WHERE entry_id = ?"),
    deleteEntry: db.prepare("DELETE FROM entries WHERE id = ?"),
    deleteEntryIfDone: db.prepare(
      "DELETE FROM entries WHERE id = ? AND NOT EXISTS (SELECT 1 FROM deliveries WHERE entry_id = entries.id)",
    ),
    otherSessions: db.prepare(
      "SELECT session FROM sessions UNION SELECT session FROM entries WHERE state = 'intent'",
    ),
    unresolveSession: db.prepare(
      "UPDATE entries SET state = 'unresolved' WHERE session = ? AND state = 'intent'",
    ),
    unresolved: db.prepare("SELECT id, uuid FROM entries WHERE state = 'unresolved' ORDER BY id LIMIT ?"),
    unsettledCount: db.prepare("SELECT COUNT(*) AS n FROM entries WHERE state <> 'confirmed'"),
    settle: db.prepare(
      "UPDATE entries SET op = ?, body = ?, state = 'confirmed' WHERE id = ? AND state = 'unresolved'",
    ),
    deliverable: db.prepare(`
      SELECT d.id AS deliveryId, d.entry_id AS entryId, d.uuid AS uuid, e.op AS op, e.body AS body,
             d.attempts AS attempts
      FROM deliveries d JOIN entries e ON e.id = d.entry_id
      WHERE d.replica = ? AND d.dead = 0 AND e.state = 'confirmed' AND d.not_before_ms <= ?
      ORDER BY d.entry_id LIMIT ?`),
    ackDeliveries: db.prepare(
      "DELETE FROM deliveries WHERE replica = ? AND uuid = ? AND entry_id <= ? RETURNING entry_id",
    ),
    deleteOlderDeliveries: db.prepare(
      "DELETE FROM deliveries WHERE replica = ? AND uuid = ? AND entry_id < ? RETURNING entry_id",
    ),
    postpone: db.prepare(
      "UPDATE deliveries SET attempts = attempts + 1, not_before_ms = ?, last_error = ? WHERE id = ?",
    ),
    markDead: db.prepare(
      "UPDATE deliveries SET dead = 1, attempts = attempts + 1, last_error = ? WHERE id = ?",
    ),
    noteError: db.prepare(`
      INSERT INTO replicas (name, last_error, last_error_ms) VALUES (@name, @error, @at)
      ON CONFLICT (name) DO UPDATE SET last_error = @error, last_error_ms = COALESCE(@at, last_error_ms)`),
    noteDelivered: db.prepare(`
      INSERT INTO replicas (name, last_delivered_ms) VALUES (@name, @at)
      ON CONFLICT (name) DO UPDATE SET last_delivered_ms = @at`),
    counts: db.prepare(`
      SELECT d.replica AS replica, SUM(d.dead = 0) AS pending, SUM(d.dead) AS dead,
             MIN(CASE WHEN d.dead = 0 THEN e.created_ms END) AS oldest
      FROM deliveries d JOIN entries e ON e.id = d.entry_id GROUP BY d.replica`),
    notes: db.prepare("SELECT name, last_error, last_error_ms, last_delivered_ms FROM replicas"),
    deadLetters: db.prepare(`
      SELECT d.id AS id, d.replica AS replica, d.uuid AS uuid, e.op AS op, d.last_error AS reason,
             e.created_ms AS createdMs
      FROM deliveries d JOIN entries e ON e.id = d.entry_id
      WHERE d.dead = 1 AND (@replica IS NULL OR d.replica = @replica) ORDER BY d.id`),
    retryOne: db.prepare(
      "UPDATE deliveries SET dead = 0, attempts = 0, not_before_ms = 0 WHERE id = ? AND dead = 1",
    ),
    retryAll: db.prepare(
      "UPDATE deliveries SET dead = 0, attempts = 0, not_before_ms = 0 WHERE dead = 1 AND (@replica IS NULL OR replica = @replica)",
    ),
    dropOne: db.prepare("DELETE FROM deliveries WHERE id = ? AND dead = 1 RETURNING entry_id"),
    dropAll: db.prepare(
      "DELETE FROM deliveries WHERE dead = 1 AND (@replica IS NULL OR replica = @replica) RETURNING entry_id",
    ),
    lease: db.prepare("SELECT session FROM lease WHERE id = 1"),
    takeLease: db.prepare(`
      INSERT INTO lease (id, session, renewed_ms) VALUES (1, @session, @at)
      ON CONFLICT (id) DO UPDATE SET session = @session, renewed_ms = @at`),
    releaseLease: db.prepare("DELETE FROM lease WHERE session = ?"),
  };
}
