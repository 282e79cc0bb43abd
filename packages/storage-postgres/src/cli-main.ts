import { parseArgs } from "node:util";
import { isStorageError } from "@vcon/storage-core";
import { PostgresAdapter, type PostgresOptions } from "./index.js";

const HELP = `Usage: vcon-storage-postgres <migrate | backfill> [options]

migrate   applies the pending migrations of @vcon/storage-postgres (run it with a role that may create
          tables), then computes the search keys of rows that have none, as backfill does.
backfill  computes the search keys of rows that have none, in short batches: rows from before the
          keys existed, or written by vcon-server's Python module. Search finds those rows anyway,
          only slower; run it after upgrading, and from time to time beside the Python module.

Options:
  --url <url>          connection URL (default: POSTGRES_URL, or POSTGRES_HOST/_PORT/_DB/_USER/_PASSWORD)
  --schema <name>      schema of the table (default: public)
  --table <name>       table name (default: vcons)
  --embedded <dir>     use a PGlite database in this folder instead of a server
  --batch-size <n>     rows keyed per statement by backfill (default: 500)
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
      "batch-size": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help || positionals.length === 0) {
    io.out(HELP);
    return values.help ? 0 : 1;
  }
  const command = positionals[0];
  if ((command !== "migrate" && command !== "backfill") || positionals.length > 1) {
    io.err(`Unknown command: ${positionals.join(" ")}\n\n${HELP}`);
    return 1;
  }
  const batchSize = values["batch-size"] === undefined ? undefined : Number(values["batch-size"]);
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0)) {
    io.err(`--batch-size must be a positive integer\n`);
    return 1;
  }
  const options: PostgresOptions = {
    ...(values.url ? { url: values.url } : {}),
    ...(values.schema ? { schema: values.schema } : {}),
    ...(values.table ? { table: values.table } : {}),
    ...(values.embedded ? { embedded: { dataDir: values.embedded } } : {}),
  };
  const storage = await PostgresAdapter.open(options);
  try {
    if (command === "migrate") {
      const { applied } = await storage.migrate();
      io.out(applied.length > 0 ? `applied ${applied.join(", ")}\n` : "schema is up to date\n");
    }
    const { keyed, unreadable } = await storage.backfill(batchSize === undefined ? {} : { batchSize });
    if (command === "backfill" || keyed > 0 || unreadable > 0) {
      io.out(
        `search keys computed for ${keyed} rows${unreadable > 0 ? `; ${unreadable} rows are not readable vCons` : ""}\n`,
      );
    }
  } finally {
    await storage.close();
  }
  return 0;
}
