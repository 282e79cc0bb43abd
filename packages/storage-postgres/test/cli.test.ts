import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, sqlRows } from "@vcon/test-postgres";
import { describe, expect, it } from "vitest";
import { runCli } from "../src/cli-main.js";

function capture() {
  const output = { out: "", err: "" };
  const io = {
    out(text: string) {
      output.out += text;
    },
    err(text: string) {
      output.err += text;
    },
  };
  return { output, io };
}

describe("vcon-storage-postgres CLI", () => {
  it("--help explains the command", async () => {
    const { output, io } = capture();
    expect(await runCli(["--help"], io)).toBe(0);
    expect(output.out).toMatch(/Usage: vcon-storage-postgres <migrate \| backfill>/);
  });

  it("migrate applies the migrations on a server, then reports it is up to date", async () => {
    const database = await createTestDatabase("cli");
    try {
      const first = capture();
      expect(await runCli(["migrate", "--url", database.url, "--table", "calls"], first.io)).toBe(0);
      expect(first.output.out).toBe(
        "applied 0000_init, 0001_signed_parties, 0002_search_keys, 0003_change_log, 0004_change_claim\n",
      );
      const again = capture();
      expect(await runCli(["migrate", "--url", database.url, "--table", "calls"], again.io)).toBe(0);
      expect(again.output.out).toBe("schema is up to date\n");
      const [table] = await sqlRows<{ n: string }>(database.url, "SELECT count(*) AS n FROM calls");
      expect(table?.n).toBe("0");
    } finally {
      await database.drop();
    }
  });

  it("migrate --embedded works on a PGlite folder", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vcon-cli-"));
    try {
      const { output, io } = capture();
      expect(await runCli(["migrate", "--embedded", join(dir, "db")], io)).toBe(0);
      expect(output.out).toMatch(/^applied 0000_init/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("an unreachable server is a typed error, exit code 2, and the password is not printed", async () => {
    const { output, io } = capture();
    const code = await runCli(["migrate", "--url", "postgres://app:hunter2secret@127.0.0.1:1/vcons"], io);
    expect(code).toBe(2);
    expect(output.err).toMatch(/UNAVAILABLE/);
    expect(output.err).not.toContain("hunter2secret");
  });

  it("unknown commands fail with the usage", async () => {
    const { output, io } = capture();
    expect(await runCli(["drop-everything"], io)).toBe(1);
    expect(output.err).toMatch(/Unknown command: drop-everything/);
  });
});
