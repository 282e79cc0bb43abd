import { readFile } from "node:fs/promises";
import { text } from "node:stream/consumers";
import { prepareVcon } from "@vcon/storage-core";
import { Command, InvalidArgumentError } from "commander";
import { APP_VERSION } from "../app-version.js";
import { printConfig } from "../config/print.js";
import { checkStorages } from "../storages/check.js";
import { appRegistry } from "../storages/registry.js";
import { globalOptions, loadGlobalConfig, withStorages } from "./context.js";
import { migrateStorages } from "./migrate-command.js";
import { outcomeText, reportError } from "./output.js";
import { registerReplicationCommands } from "./replication-command.js";
import { serveCommand } from "./serve-command.js";
import { registerSyncCommand } from "./sync-command.js";
import { registerTransferCommands } from "./transfer-commands.js";
import { validateSources } from "./validate-command.js";

/** The `vcon-server` command line. Every command reads the same configuration as the server. */
export function createProgram(): Command {
  const program = new Command("vcon-server")
    .description("Serve, import and export vCons across storages picked by configuration name.")
    .option(
      "-c, --config <file>",
      "configuration file (YAML or JSON); default: $VCON_SERVER_CONFIG, ./vcon-server.yaml, or embedded PostgreSQL in ./.data/pglite",
    )
    .version(APP_VERSION, "-V, --version", "print the version")
    .showHelpAfterError();

  program
    .command("serve")
    .description("Start the HTTP API (port from $PORT, default 8080; host 127.0.0.1 unless configured)")
    .option(
      "--wait-for-storages <seconds>",
      "keep retrying storages that are not up yet for this long before giving up",
      nonNegativeNumber,
      0,
    )
    .action(async (options: { waitForStorages: number }, command: Command) => {
      const loaded = loadGlobalConfig(globalOptions(command));
      await serveCommand(loaded, options);
    });

  registerTransferCommands(program);

  program
    .command("migrate")
    .description("Apply the schema migrations of the named storages (all when none is named)")
    .argument("[storages...]", "storage names from the configuration")
    .action(async (names: string[], _options, command: Command) => {
      const loaded = loadGlobalConfig(globalOptions(command));
      for (const line of await migrateStorages(loaded.config, names, loaded.secrets))
        process.stdout.write(`${line}\n`);
    });

  program
    .command("get")
    .description("Print one vCon as JSON (read storages in order, first hit)")
    .argument("<uuid>", "the vCon's uuid")
    .action(async (uuid: string, _options, command: Command) => {
      await withStorages(globalOptions(command), async (storages) => {
        const hit = await storages.get(uuid);
        if (!hit) {
          process.stderr.write(`error: no vCon ${uuid}\n`);
          process.exitCode = 1;
          return;
        }
        process.stdout.write(`${JSON.stringify(hit.document, null, 2)}\n`);
      });
    });

  program
    .command("save")
    .description("Save one vCon from a JSON file, or stdin (-), to every write storage")
    .argument("[file]", "JSON file, or - for stdin", "-")
    .action(async (file: string, _options, command: Command) => {
      const json = file === "-" ? await text(process.stdin) : await readFile(file, "utf8");
      // Checked before any storage is opened; saved as read (its exact text).
      const prepared = prepareVcon(json);
      const { uuid } = prepared;
      await withStorages(globalOptions(command), async (storages) => {
        const report = await storages.savePrepared([prepared]);
        const where = report.storages.map((o) => `${o.storage} ${outcomeText(o)}`).join(", ");
        process.stdout.write(`saved ${uuid} (${where})\n`);
      });
    });

  program
    .command("config")
    .description("Print the effective configuration, secrets masked")
    .option("--check", "also resolve every adapter and validate its options")
    .option("--connect", "with --check: also open every storage and report each one's outcome")
    .action(async (options: { check?: boolean; connect?: boolean }, command: Command) => {
      const loaded = loadGlobalConfig(globalOptions(command));
      const check = options.check || options.connect;
      if (check) await checkStorages(loaded.config, appRegistry(), { values: true });
      process.stdout.write(printConfig(loaded));
      if (check) process.stderr.write("configuration is valid\n");
      if (options.connect) {
        const { connectLine, connectStorages } = await import("./connect-check.js");
        const outcomes = await connectStorages(loaded);
        for (const outcome of outcomes) process.stderr.write(`${connectLine(outcome)}\n`);
        if (outcomes.some((o) => !o.ok)) process.exitCode = 1;
      }
    });

  program
    .command("validate")
    .description(
      "Check vCon files or folders against the vCon draft (legacy names are warnings); stores nothing",
    )
    .argument("<paths...>", "files (.json/.vcon: one vCon; .jsonl/.ndjson: one per line) or folders")
    .option(
      "--level <level>",
      "draft (the draft's MUSTs) or storage (what storing needs)",
      validationLevel,
      "draft",
    )
    .option("-q, --quiet", "print only invalid documents and the summary")
    .action(async (paths: string[], options: { level: "draft" | "storage"; quiet?: boolean }) => {
      const summary = await validateSources(paths, options);
      if (summary.invalid > 0) process.exitCode = 1;
    });

  registerReplicationCommands(program);
  registerSyncCommand(program);

  return program;
}

/** Runs the CLI; errors are printed with their issues (never a stack trace) and exit with code 1. */
export async function runCli(argv: readonly string[] = process.argv): Promise<void> {
  try {
    await createProgram().parseAsync(argv);
  } catch (error) {
    reportError(error);
  }
}

function nonNegativeNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) throw new InvalidArgumentError("expected a number of seconds");
  return number;
}

function validationLevel(value: string): "draft" | "storage" {
  if (value !== "draft" && value !== "storage")
    throw new InvalidArgumentError('expected "draft" or "storage"');
  return value;
}
