import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { ChangeBacklog, VconStorage } from "@vcon/storage-core";
import { type Command, InvalidArgumentError } from "commander";
import type { LoadedConfig } from "../config/load.js";
import {
  consumerName,
  describeForeignClaim,
  heldBy,
  TAKE_OVER_AFTER_MS,
} from "../replication/change-claim.js";
import { type DeadLetterSelection, Journal } from "../replication/journal.js";
import { storageRoles } from "../replication/settings.js";
import { type ReplicaStatus, replicaStatus, replicaStatusWithoutJournal } from "../replication/status.js";
import { openNamed } from "../storages/open.js";
import { appRegistry } from "../storages/registry.js";
import { globalOptions, loadGlobalConfig } from "./context.js";
import { stderrLogger } from "./output.js";

interface SelectionOptions {
  all?: boolean;
  replica?: string;
}

/**
 * `replication status|retry|drop`: read and edit the journal directly, so they work while the
 * service runs (SQLite WAL: the service sees the change at its next poll) and while it is stopped.
 */
export function registerReplicationCommands(program: Command): void {
  const replication = program
    .command("replication")
    .description("Inspect the replication journal; retry or drop dead letters");

  replication
    .command("status")
    .description("Per replica: pending entries, age of the oldest, dead letters (with reasons), last error")
    .option("--json", "print JSON instead of text")
    .action(async (options: { json?: boolean }, command: Command) => {
      const loaded = loadGlobalConfig(globalOptions(command));
      await withJournal(loaded, async ({ journal, replicas }) => {
        const { unfed, foreign } = await primaryChangeLog(loaded, journal);
        const status = journal
          ? replicaStatus(journal, replicas, { unfed })
          : replicaStatusWithoutJournal(replicas, unfed);
        const deadLetters = journal?.deadLetters() ?? [];
        const unsettled = journal?.unsettledCount() ?? 0;
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ replicas: status, deadLetters, unsettled }, null, 2)}\n`);
          return;
        }
        if (replicas.length === 0) process.stdout.write("no replicas configured: nothing is replicated\n");
        if (foreign) process.stdout.write(`${foreign}\n`);
        for (const r of status) process.stdout.write(`${statusLine(r)}\n`);
        if (unsettled > 0)
          process.stdout.write(
            `${unsettled} entr(y/ies) waiting for the primary's outcome (settled by the service)\n`,
          );
        for (const d of deadLetters) {
          process.stdout.write(
            `dead letter ${d.id}: ${d.replica} ${d.op} ${d.uuid} (${new Date(d.createdMs).toISOString()}): ${d.reason}\n`,
          );
        }
      });
    });

  const deadLetterCommand = (
    name: string,
    description: string,
    act: (journal: Journal, selected: DeadLetterSelection) => Promise<number>,
    done: string,
  ) =>
    replication
      .command(name)
      .description(description)
      .argument("[ids...]", "dead-letter ids from `replication status`", parseIds)
      .option("--all", "every dead letter")
      .option("--replica <name>", "with --all: only this replica's")
      .action(async (ids: number[] | undefined, options: SelectionOptions, command: Command) => {
        await withJournal(loadGlobalConfig(globalOptions(command)), async ({ journal }) => {
          const count = journal ? await act(journal, selection(ids, options)) : 0;
          process.stdout.write(`${count} dead letter(s) ${done}\n`);
          if (count === 0) process.exitCode = 1;
        });
      });

  replication
    .command("detach")
    .description(
      "Stop the primary's change log (recorded for replicas) and forget what it holds: for a primary that no longer has replicas",
    )
    .option("--force", "detach even though replicas are configured (they miss writes until `sync`)")
    .action(async (options: { force?: boolean }, command: Command) => {
      const loaded = loadGlobalConfig(globalOptions(command));
      const { primary: name, replicas } = storageRoles(loaded.config.storages);
      if (replicas.length > 0 && !options.force)
        throw new InvalidArgumentError(
          `replicas are configured (${replicas.join(", ")}): they are fed from the change log; use --force to detach anyway`,
        );
      await withPrimary(loaded, async (primary) => {
        if (!primary.supports("changes")) {
          process.stdout.write(`${name} keeps no change log: nothing to detach\n`);
          return;
        }
        const { count } = await primary.pendingChanges!();
        await primary.recordChanges!(false);
        process.stdout.write(`${name}: change log stopped (${count} unacknowledged change(s) forgotten)\n`);
      });
    });

  replication
    .command("take-over")
    .description(
      "Make this journal the one fed from the primary's change log, when the service whose journal fed it is gone for good",
    )
    .option(
      "--force",
      `take over even though the holder renewed its claim within the last ${TAKE_OVER_AFTER_MS / 1000} s`,
    )
    .action(async (options: { force?: boolean }, command: Command) => {
      const loaded = loadGlobalConfig(globalOptions(command));
      const { primary: name, replicas } = storageRoles(loaded.config.storages);
      if (replicas.length === 0)
        throw new InvalidArgumentError("no replicas are configured: nothing is fed from the change log");
      const journal = Journal.open(resolve(loaded.config.replication.journal));
      try {
        await withPrimary(loaded, async (primary) => {
          if (!primary.supports("claimChanges")) {
            process.stdout.write(`${name} keeps no claim on its change log: there is nothing to take over\n`);
            return;
          }
          const me = consumerName(journal);
          const claim = await primary.claimChanges!(me);
          if (heldBy(journal, claim)) {
            process.stdout.write(`${name}: the change log is already fed by this journal\n`);
            return;
          }
          const silentMs = Date.now() - claim.claimedMs;
          if (silentMs < TAKE_OVER_AFTER_MS && !options.force) {
            process.stderr.write(
              `${claim.holder} renewed its claim ${Math.max(0, Math.round(silentMs / 1000))} s ago: its service looks alive. Stop it first, or use --force if it is gone for good.\n`,
            );
            process.exitCode = 1;
            return;
          }
          await primary.claimChanges!(me, { takeOver: true });
          const syncs = replicas.map(
            (replica) => `  vcon-server sync --from ${name} --to ${replica} --delete\n`,
          );
          process.stdout.write(
            `${name}: the change log is now fed by this journal (it was ${claim.holder}). What that journal had read but not delivered is not in this one: reconcile each replica with\n${syncs.join("")}`,
          );
        });
      } finally {
        await journal.close();
      }
    });

  deadLetterCommand(
    "retry",
    "Put dead letters back in the queue (the service delivers them at its next round)",
    (journal, selected) => journal.retry(selected),
    "back in the queue",
  );
  deadLetterCommand(
    "drop",
    "Remove dead letters for good: that replica will not get those writes",
    (journal, selected) => journal.drop(selected),
    "dropped",
  );
}

interface JournalContext {
  /** Null when the journal file does not exist yet (nothing was ever replicated). */
  journal: Journal | null;
  replicas: string[];
}

function openJournal({ config }: LoadedConfig): JournalContext {
  const replicas = storageRoles(config.storages).replicas;
  const file = resolve(config.replication.journal);
  return { journal: existsSync(file) ? Journal.open(file) : null, replicas };
}

/** Runs `work` on the configured journal (null when it does not exist yet), closing it afterwards. */
async function withJournal(
  loaded: LoadedConfig,
  work: (context: JournalContext) => void | Promise<void>,
): Promise<void> {
  const context = openJournal(loaded);
  try {
    await work(context);
  } finally {
    await context.journal?.close();
  }
}

function selection(ids: number[] | undefined, options: SelectionOptions): DeadLetterSelection {
  if (options.all) {
    if (ids && ids.length > 0) throw new InvalidArgumentError("give dead-letter ids or --all, not both");
    return options.replica ? { all: true, replica: options.replica } : { all: true };
  }
  if (!ids || ids.length === 0) throw new InvalidArgumentError("give dead-letter ids or --all");
  return { ids };
}

function parseIds(value: string, previous: number[] = []): number[] {
  const id = Number(value);
  if (!Number.isInteger(id) || id < 1) throw new InvalidArgumentError(`"${value}" is not a dead-letter id`);
  return [...previous, id];
}

/**
 * What `status` shows from the primary, in one connection: what its change log holds (writes not
 * moved into the journal yet), and the line about another journal holding its claim (that journal's
 * service feeds and delivers; this one neither). Both null when the config has no replicas, the
 * primary keeps no change log, or it cannot be reached (said on stderr: the journal's figures are
 * shown anyway).
 */
async function primaryChangeLog(
  loaded: LoadedConfig,
  journal: Journal | null,
): Promise<{ unfed: ChangeBacklog | null; foreign: string | null }> {
  const none = { unfed: null, foreign: null };
  if (storageRoles(loaded.config.storages).replicas.length === 0) return none;
  if (loaded.config.replication.changeLog === "off") return none;
  try {
    return await withPrimary(loaded, async (primary) => {
      if (!primary.supports("changes")) return none;
      const unfed = await primary.pendingChanges!();
      if (!journal || !primary.supports("claimChanges")) return { unfed, foreign: null };
      const claim = await primary.claimChanges!(consumerName(journal));
      return { unfed, foreign: heldBy(journal, claim) ? null : describeForeignClaim(claim) };
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`could not count the primary's change log (${reason}): journal figures only\n`);
    return none;
  }
}

/** Opens the configured primary on its own (no journal, no replication), runs `work`, closes it. */
async function withPrimary<T>(loaded: LoadedConfig, work: (primary: VconStorage) => Promise<T>): Promise<T> {
  const { primary: name } = storageRoles(loaded.config.storages);
  const context = { registry: appRegistry(), logger: stderrLogger, secrets: loaded.secrets };
  const primary = await openNamed(loaded.config, name, context);
  try {
    return await work(primary);
  } finally {
    await primary.close();
  }
}

function statusLine(r: ReplicaStatus): string {
  const oldest = r.oldestPendingAgeMs === null ? "" : `, oldest ${Math.round(r.oldestPendingAgeMs / 1000)} s`;
  const error = r.lastError ? `, last error: ${r.lastError}` : "";
  const unfed = r.unfed > 0 ? ` (${r.unfed} still in the primary's change log)` : "";
  return `${r.replica}: ${r.pending} pending${unfed}${oldest}, ${r.deadLetters} dead letter(s)${error}`;
}
