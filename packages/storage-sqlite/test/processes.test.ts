import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromAdapter } from "@vcon/storage-core";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteAdapter } from "../src/index.js";

const folder = mkdtempSync(join(tmpdir(), "vcon-sqlite-processes-"));
const writer = join(import.meta.dirname, "fixtures", "writer.ts");
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Starts a writer child; `acks` fills with the uuids whose writes resolved. */
function startWriter(path: string, worker: number, count: number) {
  // The source condition, as vitest resolves here: the child runs this tree's code, not a build of it.
  const args = ["--conditions=@vcon/source", "--import", "tsx", writer, path, String(worker), String(count)];
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "pipe"],
    cwd: join(import.meta.dirname, ".."),
  });
  const acks: string[] = [];
  let stderr = "";
  let buffered = "";
  child.stdout!.on("data", (data: Buffer) => {
    buffered += data.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop()!;
    for (const line of lines) if (line.startsWith("ack ")) acks.push(line.slice(4));
  });
  child.stderr!.on("data", (data: Buffer) => {
    stderr += data.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, acks, exited, stderr: () => stderr };
}

async function waitFor(condition: () => boolean, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (child.exitCode !== null) throw new Error(`writer exited early with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("sqlite: several processes on one file", () => {
  it("four writer processes at once: every write lands, none fails, and this process reads them meanwhile", async () => {
    const path = join(folder, "shared.sqlite");
    const writers = [1, 2, 3, 4].map((worker) => startWriter(path, worker, 60));
    const reader = fromAdapter(new SqliteAdapter({ path, busyTimeoutMs: 20_000 }));
    try {
      // Reads while the others write: WAL lets readers go on.
      let seen = 0;
      while (writers.some((w) => w.child.exitCode === null)) {
        const page = await reader.search({ since: "2000-01-01T00:00:00Z", limit: 1000 });
        expect(page.items.length).toBeGreaterThanOrEqual(seen);
        seen = page.items.length;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      for (const w of writers) {
        const { code } = await w.exited;
        expect(code, w.stderr()).toBe(0);
        expect(w.acks).toHaveLength(60);
      }
      const all = writers.flatMap((w) => w.acks);
      for (const uuid of all) expect(await reader.exists(uuid)).toBe(true);
      const exported: string[] = [];
      for await (const vcon of reader.export()) exported.push(vcon.uuid as string);
      expect(exported.sort()).toStrictEqual([...all].sort());
      expect((await reader.search({ tel: "+1555359" })).items.map((v) => v.uuid)).toStrictEqual([
        "0194c3a2-7b1e-8f3d-0003-000000000059",
      ]);
    } finally {
      await reader.close();
    }
  });
});

describe("sqlite: crash safety", () => {
  it("SIGKILL of a writer mid-stream loses no acknowledged write and leaves the file intact", async () => {
    const path = join(folder, "crash.sqlite");
    const run = startWriter(path, 7, 0);
    await waitFor(() => run.acks.length >= 300, run.child, 60_000);
    run.child.kill("SIGKILL");
    const { signal } = await run.exited;
    expect(signal).toBe("SIGKILL");
    const acknowledged = [...run.acks];

    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.pragma("integrity_check", { simple: true })).toBe("ok");
    } finally {
      raw.close();
    }
    const storage = fromAdapter(new SqliteAdapter({ path }));
    try {
      const missing: string[] = [];
      for (const uuid of acknowledged) if (!(await storage.exists(uuid))) missing.push(uuid);
      expect(missing).toStrictEqual([]);
      // Search keys were written in the same transactions: every acknowledged vCon is found by them too.
      const last = acknowledged.at(-1)!;
      const found = await storage.search({ tel: `+15557${Number(last.slice(-12))}` });
      expect(found.items.map((v) => v.uuid)).toContain(last);
      // And the file takes writes again.
      await storage.save({ uuid: "0194c3a2-7b1e-8f3d-9a2c-ffffffffffff", parties: [] });
      expect(await storage.exists("0194c3a2-7b1e-8f3d-9a2c-ffffffffffff")).toBe(true);
    } finally {
      await storage.close();
    }
  });
});
