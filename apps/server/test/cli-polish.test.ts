import { execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, configDir, runCli } from "./cli-helpers.js";
import { makeVcon } from "./helpers.js";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const VERSION = (await import("../package.json", { with: { type: "json" } })).default.version;

/** util-linux `script` runs a command on a pseudo-terminal: how the CLI sees a person at a terminal. */
function hasScript(): boolean {
  try {
    execFileSync("sh", ["-c", "command -v script"], { stdio: "ignore" });
    return true;
  } catch {
    if (process.env.CI === "true") throw new Error("CI=true and no `script` (util-linux) for terminal tests");
    console.warn("[example-server] CLI terminal tests: skipped, no `script` (util-linux) on PATH");
    return false;
  }
}
const terminal = hasScript();

/** Runs the CLI on a pseudo-terminal; resolves with everything the terminal showed and the exit code. */
async function onTerminal(args: string[], cwd: string): Promise<{ code: number; output: string }> {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  return new Promise((resolve) => {
    execFile("script", ["-qec", command, "/dev/null"], { cwd, timeout: 60_000 }, (error, stdout) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout });
    });
  });
}

const filesIn = (directory: string) =>
  existsSync(directory)
    ? readdirSync(directory, { recursive: true }).filter((name) => String(name).endsWith(".json")).length
    : 0;

describe("the vcon-server command line", () => {
  let dir: string;
  let config: string;
  let data: string;

  beforeAll(() => {
    ({ dir, file: config } = configDir(
      "storages:\n  primary:\n    adapter: file\n    options:\n      directory: ./data\n      fsync: false\n",
    ));
    data = join(dir, "data");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("prints its version, also as `pnpm exec vcon-server` and `pnpm vcon-server` from the repository root", async () => {
    expect((await runCli(["--version"])).stdout.trim()).toBe(VERSION);
    if (!existsSync(join(ROOT, "node_modules", ".bin", "vcon-server"))) {
      const reason = "the root's node_modules/.bin/vcon-server is not linked yet (run pnpm install)";
      if (process.env.CI === "true") throw new Error(`CI=true and ${reason}`);
      console.warn(`[example-server] pnpm exec vcon-server: skipped, ${reason}`);
      return;
    }
    const run = promisify(execFile);
    expect((await run("pnpm", ["exec", "vcon-server", "--version"], { cwd: ROOT })).stdout.trim()).toBe(
      VERSION,
    );
    expect((await run("pnpm", ["--silent", "vcon-server", "--version"], { cwd: ROOT })).stdout.trim()).toBe(
      VERSION,
    );
  });

  it.skipIf(!terminal)(
    "import on a terminal shows a bar with percentage, rate and ETA, and reports repeated uuids",
    async () => {
      const vcons = Array.from({ length: 300 }, () => makeVcon());
      const lines = [...vcons, vcons[0], vcons[1], { subject: "no uuid" }].map((v) => JSON.stringify(v));
      writeFileSync(join(dir, "batch.jsonl"), `${lines.join("\n")}\n`);
      const { code, output } = await onTerminal(
        ["--config", config, "import", "--batch", "50", "batch.jsonl"],
        dir,
      );
      expect(code).toBe(1);
      expect(output).toMatch(/100% \| imported 302 vCons \| failed 1 \| [\d.]+\/s \| ETA \d+s/);
      expect(output).toContain("failed batch.jsonl:303: $.uuid:");
      expect(output).toContain("imported 302, failed 1,");
      expect(output).toContain("2 uuids appeared twice or more; the last copy was kept");
      expect(filesIn(data)).toBe(300);
    },
  );

  it.skipIf(!terminal)("import with no source on a terminal prints its help instead of waiting", async () => {
    const { code, output } = await onTerminal(["--config", config, "import"], dir);
    expect(code).toBe(1);
    expect(output).toContain("Usage: vcon-server import [options] [source]");
  });

  it("Ctrl-C during an import finishes the batch being written and says what landed", async () => {
    const { dir: own, file } = configDir(
      "storages:\n  primary:\n    adapter: file\n    options:\n      directory: ./data\n      fsync: false\n",
    );
    try {
      const child = spawn(process.execPath, [CLI, "--config", file, "import", "--batch", "10", "-"], {
        cwd: own,
        stdio: ["pipe", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      // If the CLI dies early, the failed writes below must not become an unhandled EPIPE.
      child.stdin.on("error", () => {});
      // 25 documents: two full batches are written, five wait for more input that never comes.
      for (let i = 0; i < 25; i++) child.stdin.write(`${JSON.stringify(makeVcon())}\n`);
      await expect.poll(() => filesIn(join(own, "data")), { timeout: 30_000 }).toBe(20);
      child.kill("SIGINT");
      expect(await exited).toBe(130);
      expect(stderr).toContain("interrupting: finishing the batch being written");
      expect(stderr).toContain(
        "interrupted: the 20 imported are stored in every write storage; 5 read after the last write were not written",
      );
      expect(filesIn(join(own, "data"))).toBe(20);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  it("export --out to a missing folder, a directory or a read-only path exits 1 with the reason, before opening storages", async () => {
    // A storage that cannot open: the reason printed must be the output's, so it was checked first.
    const { dir: own, file } = configDir(
      "storages:\n  primary:\n    adapter: file\n    options:\n      directory: /proc/vcon-cannot-exist\n",
    );
    const readOnly = process.getuid?.() === 0 ? "/sys/vcon-export.jsonl" : join(own, "locked", "out.jsonl");
    if (process.getuid?.() !== 0) {
      execFileSync("mkdir", ["-m", "555", join(own, "locked")]);
    }
    try {
      const cases: [string, string][] = [
        [join(own, "missing", "out.jsonl"), `the folder ${join(own, "missing")} does not exist`],
        [own, "it is a directory; name a file"],
        [readOnly, "permission denied"],
      ];
      for (const [out, reason] of cases) {
        const result = await runCli(["--config", file, "export", "--out", out]);
        expect(result.code).toBe(1);
        expect(result.stderr).toBe(`error: cannot write ${out}: ${reason}\n`);
      }
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  it("export | head ends quietly with exit code 0", async () => {
    const lines = Array.from({ length: 1500 }, () => JSON.stringify(makeVcon({ subject: "x".repeat(200) })));
    expect(
      (await runCli(["--config", config, "import", "-"], { cwd: dir, input: `${lines.join("\n")}\n` })).code,
    ).toBe(0);
    const script = `'${process.execPath}' '${CLI}' --config '${config}' export | head -n 2; echo "exit=\${PIPESTATUS[0]}" >&2`;
    const { stdout, stderr } = await promisify(execFile)("bash", ["-c", script], { cwd: dir });
    expect(stdout.trim().split("\n")).toHaveLength(2);
    expect(stderr).toContain("exit=0");
    expect(stderr).not.toMatch(/error|warn|EPIPE/i);
  });

  it("export --text and --tag write only the matching vCons", async () => {
    const tags = (values: string[]) => [{ purpose: "tags", encoding: "json", body: values }];
    const refund = makeVcon({
      subject: "Customer asked for a REFUND today",
      attachments: tags(["topic:billing"]),
    });
    const other = makeVcon({ subject: "refund follow-up", attachments: tags(["topic:support"]) });
    const input = [refund, other].map((v) => JSON.stringify(v)).join("\n");
    expect((await runCli(["--config", config, "import", "-"], { cwd: dir, input })).code).toBe(0);
    const exported = async (...args: string[]) =>
      (await runCli(["--config", config, "export", ...args], { cwd: dir })).stdout
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { uuid: string }).uuid);
    expect(await exported("--text", "for a refund")).toEqual([refund.uuid]);
    expect((await exported("--text", "refund")).sort()).toEqual([refund.uuid, other.uuid].sort());
    expect(await exported("--text", "refund", "--tag", "topic:support")).toEqual([other.uuid]);
    expect(await exported("--tag", "topic:billing", "--tag", "topic")).toEqual([refund.uuid]);
    const short = await runCli(["--config", config, "export", "--text", "re"], { cwd: dir });
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/^error: .*\n {2}- query\.text: expected at least 3 characters/);
  });

  it("prints each error once, with 'did you mean' for misspelt adapters, option keys and config keys", async () => {
    const cases: [string, string][] = [
      [
        "storages:\n  primary:\n    adapter: memry\n",
        'error: Invalid storage configuration\n  - storages.primary.adapter: unknown adapter "memry"; did you mean "memory"?',
      ],
      [
        "storages:\n  primary:\n    adapter: file\n    options:\n      directry: ./data\n",
        'error: Invalid storage configuration\n  - storages.primary.options.directry: adapter "file" has no option "directry"; did you mean "directory"?\n',
      ],
      [
        "server:\n  prot: 8080\nstorages:\n  primary:\n    adapter: memory\n    optons: {}\n",
        '  - server: Unrecognized key: "prot"; did you mean "port"?\n  - storages.primary: Unrecognized key: "optons"; did you mean "options"?\n',
      ],
    ];
    for (const [yaml, expected] of cases) {
      const { dir: own, file } = configDir(yaml);
      try {
        const result = await runCli(["--config", file, "export"]);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(expected);
        // The problem is listed once, not also repeated inside the first line.
        expect(result.stderr.split("\n")[0]).not.toContain("did you mean");
      } finally {
        rmSync(own, { recursive: true, force: true });
      }
    }
  });
});
