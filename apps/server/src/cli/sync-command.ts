import { type Command, Option } from "commander";
import { type SyncReport, syncStorages } from "../replication/sync.js";
import { openNamed } from "../storages/open.js";
import { appRegistry } from "../storages/registry.js";
import { globalOptions, loadGlobalConfig } from "./context.js";
import { stderrLogger } from "./output.js";

interface SyncCommandOptions {
  from: string;
  to: string;
  dryRun?: boolean;
  delete?: boolean;
}

/** `sync --from <storage> --to <storage>`: reconcile two configured storages (also seeds a new replica). */
export function registerSyncCommand(program: Command): void {
  program
    .command("sync")
    .description(
      "Make one storage hold what another holds: copy missing and different vCons (uuid + content hash), --delete extras",
    )
    .addOption(
      new Option("--from <storage>", "the storage to copy from (usually the primary)").makeOptionMandatory(),
    )
    .addOption(new Option("--to <storage>", "the storage to repair or seed").makeOptionMandatory())
    .option("--dry-run", "list the differences (missing, different, extra uuid), write nothing")
    .option("--delete", "also delete vCons the target has and the source does not")
    .action(async (options: SyncCommandOptions, command: Command) => {
      const loaded = loadGlobalConfig(globalOptions(command));
      const context = { registry: appRegistry(), logger: stderrLogger, secrets: loaded.secrets };
      const from = await openNamed(loaded.config, options.from, context);
      try {
        const to = await openNamed(loaded.config, options.to, context);
        try {
          const report = await syncStorages(from, to, {
            dryRun: options.dryRun === true,
            delete: options.delete === true,
            onDifference: (kind, uuid) => process.stdout.write(`${kind} ${uuid}\n`),
          });
          process.stderr.write(`${summary(options, report)}\n`);
        } finally {
          await to.close();
        }
      } finally {
        await from.close();
      }
    });
}

function summary(options: SyncCommandOptions, r: SyncReport): string {
  const found = `${r.compared} compared: ${r.missing} missing, ${r.different} different, ${r.extra} extra`;
  if (options.dryRun) return `dry run, ${options.from} → ${options.to}: ${found}; nothing written`;
  const deleted = options.delete
    ? `, ${r.deleted} deleted`
    : r.extra > 0
      ? " (extras kept: --delete removes them)"
      : "";
  return `${options.from} → ${options.to}: ${found}; ${r.copied} copied${deleted}`;
}
