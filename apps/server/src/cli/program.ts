import { readFile } from "node:fs/promises";
import { text } from "node:stream/consumers";
import { prepareVcon } from "@vcon/storage-core";
import { Command, InvalidArgumentError } from "commander";
import { loadConfig } from "../config/load.js";
import { printConfig } from "../config/print.js";
import { checkStorages } from "../storages/check.js";
import { type GlobalOptions, withStorages } from "./context.js";
import { type ExportCommandOptions, exportVcons } from "./export-command.js";
import { importVcons } from "./import-command.js";
import { migrateStorages } from "./migrate-command.js";
import { outcomeText, reportError } from "./output.js";

/** The `vcon-server` command line. Every command reads the same configuration as the server. */
export function createProgram(): Command {
  const program = new Command("vcon-server")
    .description("Serve, import and export vCons across storages picked by configuration name.")
    .option(
      "-c, --config <file>",
      "configuration file (YAML or JSON); default: $VCON_SERVER_CONFIG, ./vcon-server.yaml, or embedded PostgreSQL in ./.data/pglite",
    )
    .showHelpAfterError();

  const globals = (command: Command) => command.optsWithGlobals<GlobalOptions>();

  program
    .command("serve")
    .description("Start the HTTP API (port from $PORT, default 8080; host 127.0.0.1 unless configured)")
    .action(async (_options, command: Command) => {
      const loaded = loadConfig(configFile(globals(command)));
      // Loaded here only: Fastify and its plugins would add ~0.4 s to every other command's start.
      const { buildServer } = await import("../http/server.js");
      const server = await buildServer(loaded);
      try {
        await server.listen();
      } catch (error) {
        // e.g. the port is taken: release the storages so the process can exit.
        await server.close();
        throw error;
      }
      const stop = () => {
        server.close().then(
          () => process.exit(0),
          (error: unknown) => {
            reportError(error);
            process.exit(1);
          },
        );
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });

  program
    .command("import")
    .description("Save vCons from a folder, a JSON lines file, or stdin (-) to every write storage")
    .argument("[source]", "folder, JSON lines file, or - for stdin", "-")
    .option("-b, --batch <n>", "vCons per write", positiveInteger, 500)
    .action(async (source: string, options: { batch: number }, command: Command) => {
      await withStorages(globals(command), async (storages) => {
        const summary = await importVcons(storages, source, options);
        if (summary.failed > 0 || summary.stoppedBy) process.exitCode = 1;
      });
    });

  program
    .command("export")
    .description("Write every vCon as JSON lines, from the first read storage that supports export")
    .option("-o, --out <file>", "write to a file instead of stdout")
    .option("-s, --storage <name>", "export from this storage")
    .option("--since <date-time>", "only vCons created at or after this time")
    .option("--until <date-time>", "only vCons created before this time")
    .action(async (options: ExportCommandOptions, command: Command) => {
      await withStorages(globals(command), (storages) => exportVcons(storages, options));
    });

  program
    .command("migrate")
    .description("Apply the schema migrations of the named storages (all when none is named)")
    .argument("[storages...]", "storage names from the configuration")
    .action(async (names: string[], _options, command: Command) => {
      const loaded = loadConfig(configFile(globals(command)));
      for (const line of await migrateStorages(loaded.config, names, loaded.secrets))
        process.stdout.write(`${line}\n`);
    });

  program
    .command("get")
    .description("Print one vCon as JSON (read storages in order, first hit)")
    .argument("<uuid>", "the vCon's uuid")
    .action(async (uuid: string, _options, command: Command) => {
      await withStorages(globals(command), async (storages) => {
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
      const { uuid } = prepareVcon(json);
      await withStorages(globals(command), async (storages) => {
        const report = await storages.save([json], [uuid]);
        const where = report.storages.map((o) => `${o.storage} ${outcomeText(o)}`).join(", ");
        process.stdout.write(`saved ${uuid} (${where})\n`);
      });
    });

  program
    .command("config")
    .description("Print the effective configuration, secrets masked")
    .option("--check", "also resolve every adapter and validate its options")
    .action(async (options: { check?: boolean }, command: Command) => {
      const loaded = loadConfig(configFile(globals(command)));
      if (options.check) await checkStorages(loaded.config);
      process.stdout.write(printConfig(loaded));
      if (options.check) process.stderr.write("configuration is valid\n");
    });

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

function configFile(options: GlobalOptions): { file?: string } {
  return options.config ? { file: options.config } : {};
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError("expected a positive integer");
  return number;
}
