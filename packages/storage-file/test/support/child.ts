import { type ChildProcess, execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const writer = fileURLToPath(new URL("./writer.ts", import.meta.url));
const cwd = fileURLToPath(new URL("../..", import.meta.url));
/** Runs the TypeScript sources directly (no dist needed): the source condition plus tsx's loader. */
const NODE_ARGS = ["--conditions=@vcon/source", "--import", "tsx", writer];

/** Runs writer.ts to completion; rejects with its stderr when it fails. */
export async function runWriter(...args: string[]): Promise<void> {
  await promisify(execFile)(process.execPath, [...NODE_ARGS, ...args], { cwd, timeout: 60_000 });
}

/** Starts writer.ts and leaves it running (the caller kills it). */
export function startWriter(...args: string[]): ChildProcess {
  return spawn(process.execPath, [...NODE_ARGS, ...args], { cwd, stdio: ["ignore", "ignore", "inherit"] });
}
