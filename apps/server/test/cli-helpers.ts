import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The built CLI; VCON_SERVER_TEST_CLI points at another build (e.g. a private one while others rebuild dist/). */
export const CLI = process.env.VCON_SERVER_TEST_CLI ?? join(import.meta.dirname, "..", "dist", "cli.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a child process, optionally feeding stdin. */
export function runCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        timeout: 60_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        if (error && typeof error.code !== "number") reject(error);
        else resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? "");
  });
}

/** A temporary folder holding a config file with the given YAML. */
export function configDir(yaml: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "vcon-server-cli-"));
  const file = join(dir, "vcon-server.yaml");
  writeFileSync(file, yaml);
  return { dir, file };
}

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** PGlite's first start (initdb in WASM) takes seconds, many more on a busy machine. */
const SERVE_START_LIMIT_MS = 90_000;

/** Starts `vcon-server serve` on a free port and waits (bounded) for its "listening" log line. */
export function serve(
  args: string[],
  options: {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    serveArgs?: string[];
    /** Sees everything printed so far, on every chunk (to act before the server listens). */
    onOutput?: (output: string) => void;
  } = {},
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, ...args, "serve", ...(options.serveArgs ?? [])], {
    cwd: options.cwd,
    env: { ...process.env, PORT: "0", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`serve did not start within ${SERVE_START_LIMIT_MS} ms:\n${output}`));
    }, SERVE_START_LIMIT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      options.onOutput?.(output);
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        url: match[1]!,
        child,
        output: () => output,
        stop: async () => {
          child.kill("SIGTERM");
          return exited;
        },
      });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${output}`));
    });
  });
}
