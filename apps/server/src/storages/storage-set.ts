import {
  type AdapterRegistry,
  type ChangeBacklog,
  type ExportOptions,
  isPreparedVcon,
  type Logger,
  type OperationEvent,
  type PreparedVcon,
  prepareVcon,
  type SearchQuery,
  silentLogger,
  type VconDocument,
  type VconInput,
  type VconStorage,
} from "@vcon/storage-core";
import type { AppConfig } from "../config/schema.js";
import { Journal } from "../replication/journal.js";
import { KeyedLock } from "../replication/keyed-lock.js";
import { Replicator } from "../replication/replicator.js";
import type { StorageRoles } from "../replication/settings.js";
import type { ReplicaStatus } from "../replication/status.js";
import type { StorageHandle } from "./handle.js";
import { type ProbeTarget, probe, type StorageHealth, type StorageRole } from "./health.js";
import { scrubbingLogger } from "./logger.js";
import { openStorages } from "./open.js";
import { StorageFailure, type StorageOutcome } from "./outcome.js";
import { type ReadHit, ReadPath, type SearchAnswer } from "./read-path.js";
import { appRegistry } from "./registry.js";
import { type DeleteReport, WritePath, type WriteReport } from "./write-path.js";

export type { StorageHealth } from "./health.js";
export type { ReadHit, SearchAnswer } from "./read-path.js";
export type { DeleteReport, WriteReport } from "./write-path.js";

export interface OpenStoragesOptions {
  logger?: Logger;
  /** Called after every storage operation (core's hook), for metrics. */
  onOperation?: (event: OperationEvent) => void;
  /** Values that must never appear in messages (from the loaded configuration). */
  secrets?: readonly string[];
  /** Where adapter names are looked up; by default the app's own dependencies. */
  registry?: AdapterRegistry;
  /** Run the background replicator (default true). CLI commands that only read the journal pass false. */
  replicate?: boolean;
}

/**
 * The configured storages, used as one. Writes commit on the primary and reach the replicas through
 * the replication journal; reads, search and export use the primary, and a fallback only when the
 * primary cannot answer. Every failure is reported with the storage's name.
 */
export class StorageSet {
  readonly #config: AppConfig;
  readonly #roles: StorageRoles;
  readonly #primary: VconStorage;
  readonly #others: Map<string, StorageHandle>;
  readonly #journal: Journal | null;
  readonly #replicator: Replicator | null;
  readonly #writes: WritePath;
  readonly #reads: ReadPath;
  readonly #secrets: readonly string[];
  readonly #changeLog: boolean;

  private constructor(parts: {
    config: AppConfig;
    roles: StorageRoles;
    primary: VconStorage;
    others: Map<string, StorageHandle>;
    journal: Journal | null;
    replicator: Replicator | null;
    writes: WritePath;
    reads: ReadPath;
    secrets: readonly string[];
    changeLog: boolean;
  }) {
    this.#config = parts.config;
    this.#roles = parts.roles;
    this.#primary = parts.primary;
    this.#others = parts.others;
    this.#journal = parts.journal;
    this.#replicator = parts.replicator;
    this.#writes = parts.writes;
    this.#reads = parts.reads;
    this.#secrets = parts.secrets;
    this.#changeLog = parts.changeLog;
  }

  /**
   * Opens the primary (a failure is thrown), the journal when there are replicas, and every other
   * storage (one that is down is retried later). If anything fails, what was opened is closed again.
   */
  static async open(config: AppConfig, options: OpenStoragesOptions = {}): Promise<StorageSet> {
    const secrets = options.secrets ?? [];
    const logger = scrubbingLogger(options.logger ?? silentLogger, secrets);
    const registry = options.registry ?? appRegistry();
    const { roles, primary, others } = await openStorages(config, {
      registry,
      logger,
      secrets,
      ...(options.onOperation ? { onOperation: options.onOperation } : {}),
    });
    let journal: Journal | null = null;
    let changeLog: ChangeBacklog | null = null;
    try {
      if (roles.replicas.length > 0) {
        journal = Journal.open(config.replication.journal);
        changeLog = await useChangeLog(primary, config.replication.changeLog, logger);
      } else await warnIfStillRecording(primary, logger);
    } catch (error) {
      await journal?.close();
      await Promise.allSettled([primary.close(), ...[...others.values()].map((h) => h.close())]);
      throw error;
    }
    const lock = new KeyedLock();
    const replicas = roles.replicas.map((name) => others.get(name)!);
    const replicator =
      journal && options.replicate !== false
        ? new Replicator({
            journal,
            primary,
            replicas,
            lock,
            settings: config.replication,
            logger,
            secrets,
            changeLog,
          })
        : null;
    const writes = new WritePath({
      primary,
      replicas: roles.replicas,
      journal,
      lock,
      secrets,
      changeLog: changeLog ? (committed) => replicator?.wrote(committed) : null,
      confirmed: () => replicator?.wake(),
      unresolved: () => replicator?.wakeResolver(),
    });
    const fallbacks = Object.entries(config.storages)
      .filter(([name, entry]) => entry.read && name !== roles.primary)
      .map(([name]) => others.get(name)!);
    const reads = new ReadPath({ primary, fallbacks, secrets });
    replicator?.start();
    return new StorageSet({
      config,
      roles,
      primary,
      others,
      journal,
      replicator,
      writes,
      reads,
      secrets,
      changeLog: changeLog !== null,
    });
  }

  /** Every configured storage name, in configuration order. */
  get names(): string[] {
    return Object.keys(this.#config.storages);
  }

  get roles(): StorageRoles {
    return this.#roles;
  }

  get primary(): VconStorage {
    return this.#primary;
  }

  /**
   * Where a write's entries for the replicas become durable before it is acknowledged: in the
   * primary's own change log (`change-log`), or in the journal before the primary (`journal`); null
   * without replicas.
   */
  get replicationPath(): "change-log" | "journal" | null {
    if (!this.#journal) return null;
    return this.#changeLog ? "change-log" : "journal";
  }

  /** The journal, when replicas are configured. */
  get journal(): Journal | null {
    return this.#journal;
  }

  /** A storage by configuration name, when it is open. */
  byName(name: string): VconStorage | undefined {
    if (name === this.#roles.primary) return this.#primary;
    return this.#others.get(name)?.storage ?? undefined;
  }

  /** A storage by configuration name, opening it when it was down at start. */
  async open(name: string): Promise<VconStorage> {
    if (name === this.#roles.primary) return this.#primary;
    const handle = this.#others.get(name);
    if (!handle) throw unknownStorage(name, this.names);
    return handle.get();
  }

  /**
   * Saves vCons: checked here (nothing is written if one is bad), committed on the primary, queued
   * durably for every replica. Throws `StorageFailure` when the primary or the journal failed.
   */
  async save(vcons: readonly (VconInput | PreparedVcon)[]): Promise<WriteReport> {
    return this.savePrepared(vcons.map((vcon) => (isPreparedVcon(vcon) ? vcon : prepareVcon(vcon))));
  }

  /** `save` for vCons already checked with core's `prepareVcon`: they are not checked again here. */
  async savePrepared(prepared: readonly PreparedVcon[]): Promise<WriteReport> {
    return this.#writes.save(prepared);
  }

  /** Deletes on the primary; replicas get the delete through the journal. */
  async delete(uuid: string): Promise<DeleteReport> {
    return this.#writes.delete(uuid);
  }

  /** The primary's document; a fallback's only when the primary cannot answer (`fallback: true`). */
  get(uuid: string): Promise<ReadHit | null> {
    return this.#reads.get(uuid);
  }

  search(query: SearchQuery): Promise<SearchAnswer> {
    return this.#reads.search(query);
  }

  /**
   * Every document of the named storage, or of the primary (a fallback when the primary fails
   * before its first document; `onFallback` says which).
   */
  export(
    options: ExportOptions = {},
    name?: string,
    onFallback?: (storage: string, failure: StorageOutcome) => void,
  ): AsyncIterable<VconDocument> {
    if (name === undefined) return this.#reads.export(options, onFallback);
    const open = this.open(name);
    return (async function* () {
      yield* (await open).export(options);
    })();
  }

  /** Per replica: pending entries, the oldest one's age, dead letters and the last error. */
  replication(): ReplicaStatus[] {
    return this.#replicator?.status() ?? [];
  }

  /**
   * Gives the replicator up to `timeoutMs` to deliver what is pending (for short CLI runs). Returns
   * the replicas still owed entries afterwards, and whether this process was the one delivering.
   */
  async drain(timeoutMs: number): Promise<{ delivering: boolean; waiting: ReplicaStatus[] }> {
    if (!this.#replicator) return { delivering: false, waiting: [] };
    const { delivering, status } = await this.#replicator.drain(timeoutMs);
    return { delivering, waiting: status.filter((r) => r.pending > 0) };
  }

  /**
   * Brings the journal up to date with the primary now (e.g. before `sync`): feeds the primary's
   * change log into it and settles every unresolved entry. Returns how many entries were settled.
   */
  async settleJournal(): Promise<number> {
    await this.#replicator?.feed();
    return this.#replicator?.settle() ?? 0;
  }

  /** Probes every storage (a read of an unused uuid, bounded); replicas carry their backlog. */
  async health(): Promise<StorageHealth[]> {
    const backlog = new Map(this.replication().map((r) => [r.replica, r] as const));
    return Promise.all(
      Object.entries(this.#config.storages).map(async ([name, entry]) => {
        const target: ProbeTarget = {
          name,
          adapter: entry.adapter,
          role: this.#roleOf(name),
          read: entry.read,
          write: entry.write,
          storage: () => this.open(name),
        };
        const health = await probe(target, this.#secrets);
        const replica = backlog.get(name);
        if (replica) {
          const { replica: _name, ...replication } = replica;
          health.replication = replication;
        }
        return health;
      }),
    );
  }

  /** Stops the replicator, closes every storage and the journal; reports the first failure after trying all. */
  async close(): Promise<void> {
    await this.#replicator?.stop();
    const results = await Promise.allSettled([
      this.#primary.close(),
      ...[...this.#others.values()].map((h) => h.close()),
    ]);
    await this.#journal?.close();
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  }

  #roleOf(name: string): StorageRole {
    if (name === this.#roles.primary) return "primary";
    return this.#roles.replicas.includes(name) ? "replica" : "read-only";
  }
}

/**
 * Whether writes keep the replicas' entries in the primary's own change log (see
 * `replication.changeLog`), turning its recording on when so; resolves with what the log holds already
 * (writes not fed into the journal before the last stop), or null for the journal path. `auto` falls
 * back to the journal, with a warning, when the primary cannot record (no capability, or a role that may
 * not create its triggers).
 */
async function useChangeLog(
  primary: VconStorage,
  setting: AppConfig["replication"]["changeLog"],
  logger: Logger,
): Promise<ChangeBacklog | null> {
  if (setting === "off") return null;
  if (!primary.supports("changes")) {
    if (setting === "on")
      throw new StorageFailure(
        `replication.changeLog is "on" but the primary "${primary.name}" (${primary.adapterName}) keeps no change log`,
        [{ storage: primary.name, ok: false, code: "NOT_SUPPORTED", message: "no change log" }],
      );
    return null;
  }
  try {
    await primary.recordChanges!(true);
    return await primary.pendingChanges!();
  } catch (error) {
    if (setting === "on") throw error;
    logger.warn(
      { err: error, storage: primary.name },
      "the primary cannot record a change log; each write is journaled before the primary instead (slower)",
    );
    return null;
  }
}

/** Without replicas nobody consumes the primary's change log: say so if it still fills up. */
async function warnIfStillRecording(primary: VconStorage, logger: Logger): Promise<void> {
  if (!primary.supports("changes")) return;
  const backlog = await primary.pendingChanges!().catch(() => null);
  if (backlog && backlog.count > 0)
    logger.warn(
      { storage: primary.name, changes: backlog.count },
      "the primary records a change log for replicas, but none is configured: `vcon-server replication detach` stops it",
    );
}

function unknownStorage(name: string, known: string[]): StorageFailure {
  return new StorageFailure(`No storage named "${name}" (configured: ${known.join(", ")})`, [
    { storage: name, ok: false, code: "VALIDATION", message: "not configured" },
  ]);
}
