import { spawn } from "node:child_process";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Runs `<name>` (a sibling module of this file: `.ts` from source, `.js` when built) in a fresh Node
 * process, so what it measures (peak RSS) is its own, and resolves with the last JSON line it prints.
 */
export function runJsonChild<T>(name: string, arg: string): Promise<T> {
  const here = fileURLToPath(import.meta.url);
  const script = join(here, "..", `${name}${extname(here)}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, "--expose-gc", script, arg], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`${name} exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split("\n").at(-1)!) as T);
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** The child's side: prints what `work` resolves with as one JSON line and exits (1 on failure). */
export function reportToParent(work: Promise<unknown>): void {
  work.then(
    (outcome) => {
      process.stdout.write(`${JSON.stringify(outcome)}\n`);
      process.exit(0);
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
