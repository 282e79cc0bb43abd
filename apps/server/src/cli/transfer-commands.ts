import { normalizeSearchQuery } from "@vcon/storage-core";
import { type Command, InvalidArgumentError } from "commander";
import { globalOptions, withStorages } from "./context.js";
import { type ExportCommandOptions, exportQuery, exportVcons, openExportOutput } from "./export-command.js";
import { importVcons } from "./import-command.js";

/** Exit code of a command stopped by Ctrl-C (128 + SIGINT), as shells report it. */
const INTERRUPTED_EXIT_CODE = 130;

/** `import` and `export`: vCons in and out of the configured storages, streamed. */
export function registerTransferCommands(program: Command): void {
  program
    .command("import")
    .description("Save vCons from a folder, a JSON lines file, or stdin (-) to every write storage")
    .argument("[source]", "folder, JSON lines file, or - for stdin (piped)", "-")
    .option("-b, --batch <n>", "vCons per write", positiveInteger, 500)
    .action(async (source: string, options: { batch: number }, command: Command) => {
      // Nothing piped in and no source named: a person at a terminal wants the usage, not a wait.
      if (source === "-" && process.stdin.isTTY) command.help({ error: true });
      const interrupt = new AbortController();
      const onInterrupt = () => {
        if (interrupt.signal.aborted) process.exit(INTERRUPTED_EXIT_CODE);
        process.stderr.write(
          "\ninterrupting: finishing the batch being written (Ctrl-C again to quit now)\n",
        );
        interrupt.abort();
      };
      process.on("SIGINT", onInterrupt);
      try {
        await withStorages(globalOptions(command), async (storages) => {
          const summary = await importVcons(storages, source, { ...options, signal: interrupt.signal });
          if (summary.interrupted) process.exitCode = INTERRUPTED_EXIT_CODE;
          else if (summary.failed > 0 || summary.stoppedBy) process.exitCode = 1;
        });
      } finally {
        process.off("SIGINT", onInterrupt);
      }
    });

  program
    .command("export")
    .description("Write every vCon as JSON lines, from the first read storage that supports export")
    .option("-o, --out <file>", "write to a file instead of stdout")
    .option("-s, --storage <name>", "export from this storage")
    .option("--since <date-time>", "only vCons created at or after this time")
    .option("--until <date-time>", "only vCons created before this time")
    .option("--text <words>", "only vCons whose text holds this (case-insensitive, 3+ characters)")
    .option("--tag <key:value>", "only vCons with this tag; repeat for several (all must match)", collect, [])
    .action(async (options: ExportCommandOptions, command: Command) => {
      if (options.storage !== undefined && (options.text !== undefined || options.tag?.length)) {
        throw new InvalidArgumentError(
          "--text and --tag search the first search storage; leave out --storage",
        );
      }
      // Filters are checked by core's rules before the output or any storage is opened.
      normalizeSearchQuery(exportQuery(options));
      const output = await openExportOutput(options.out);
      await withStorages(globalOptions(command), (storages) => exportVcons(storages, options, output));
    });
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError("expected a positive integer");
  return number;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
