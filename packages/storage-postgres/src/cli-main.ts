import { parseArgs } from "node:util";
import { isStorageError } from "@vcon/storage-core";
import { migrate } from "./index.js";

const HELP = `Usage: vcon-storage-postgres migrate [options]

Applies the pending migrations of @vcon/storage-postgres. Run it with a role that may create tables.

Options:
  --url <url>          connection URL (default: POSTGRES_URL, or POSTGRES_HOST/_PORT/_DB/_USER/_PASSWORD)
  --schema <name>      schema of the table (default: public)
  --table <name>       table name (default: vcons)
  --embedded <dir>     migrate a PGlite database in this folder instead of a server
  -h, --help           show this help
`;

export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

const processOutput: CliOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** Runs the CLI with these arguments; resolves to the exit code. */
export async function runCli(argv: string[], io: CliOutput = processOutput): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    // Typed errors carry a message made for people, already scrubbed of passwords.
    const message = isStorageError(error) ? `${error.code}: ${error.message}` : String(error);
    io.err(`vcon-storage-postgres: ${message}\n`);
    return 2;
  }
}

async function run(argv: string[], io: CliOutput): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: "string" },
      schema: { type: "string" },
      table: { type: "string" },
      embedded: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help || positionals.length === 0) {
    io.out(HELP);
    return values.help ? 0 : 1;
  }
  if (positionals[0] !== "migrate" || positionals.length > 1) {
    io.err(`Unknown command: ${positionals.join(" ")}\n\n${HELP}`);
    return 1;
  }
  const { applied } = await migrate({
    ...(values.url ? { url: values.url } : {}),
    ...(values.schema ? { schema: values.schema } : {}),
    ...(values.table ? { table: values.table } : {}),
    ...(values.embedded ? { embedded: { dataDir: values.embedded } } : {}),
  });
  io.out(applied.length > 0 ? `applied ${applied.join(", ")}\n` : "schema is up to date\n");
  return 0;
}
