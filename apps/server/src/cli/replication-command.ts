import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { type DeadLetterSelection, Journal } from "../replication/journal.js";
import { storageRoles } from "../replication/settings.js";
import { type ReplicaStatus, replicaStatus } from "../replication/status.js";
import { type GlobalOptions, globalOptions, loadGlobalConfig } from "./context.js";

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
      await withJournal(globalOptions(command), ({ journal, replicas }) => {
        const status = journal ? replicaStatus(journal, replicas) : replicas.map(emptyStatus);
        const deadLetters = journal?.deadLetters() ?? [];
        const unsettled = journal?.unsettledCount() ?? 0;
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ replicas: status, deadLetters, unsettled }, null, 2)}\n`);
          return;
        }
        if (replicas.length === 0) process.stdout.write("no replicas configured: nothing is replicated\n");
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
        await withJournal(globalOptions(command), async ({ journal }) => {
          const count = journal ? await act(journal, selection(ids, options)) : 0;
          process.stdout.write(`${count} dead letter(s) ${done}\n`);
          if (count === 0) process.exitCode = 1;
        });
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

function openJournal(options: GlobalOptions): JournalContext {
  const { config } = loadGlobalConfig(options);
  const replicas = storageRoles(config.storages).replicas;
  const file = resolve(config.replication.journal);
  return { journal: existsSync(file) ? Journal.open(file) : null, replicas };
}

/** Runs `work` on the configured journal (null when it does not exist yet), closing it afterwards. */
async function withJournal(
  options: GlobalOptions,
  work: (context: JournalContext) => void | Promise<void>,
): Promise<void> {
  const context = openJournal(options);
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

function emptyStatus(replica: string): ReplicaStatus {
  return {
    replica,
    pending: 0,
    oldestPendingAgeMs: null,
    deadLetters: 0,
    lastError: null,
    lastDeliveredAt: null,
  };
}

function statusLine(r: ReplicaStatus): string {
  const oldest = r.oldestPendingAgeMs === null ? "" : `, oldest ${Math.round(r.oldestPendingAgeMs / 1000)} s`;
  const error = r.lastError ? `, last error: ${r.lastError}` : "";
  return `${r.replica}: ${r.pending} pending${oldest}, ${r.deadLetters} dead letter(s)${error}`;
}
