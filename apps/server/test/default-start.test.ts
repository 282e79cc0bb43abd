import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { POSTGRES_ENV_NAMES } from "../src/index.js";
import { serve } from "./cli-helpers.js";
import { makeVcon, postJson } from "./helpers.js";

const SESSION = join(import.meta.dirname, "..", "examples", "curl-session.sh");
const SESSION_UUID = "0194c3a2-7b1e-8f3d-9a2c-4e5f6a7b8c9d";
/** As the README says: one key, exported in the server's shell and in the session's. */
const KEY = "first-run-key-6a1f0c9d3e7b";
const withKey = { authorization: `Bearer ${KEY}` };

// Generous: every PGlite start compiles WASM, slow on a busy machine.
describe("the first run: no configuration, embedded PostgreSQL in ./.data/pglite", {
  timeout: 180_000,
}, () => {
  // A working directory with no config file; VCON_SERVER_CONFIG and POSTGRES_* emptied so the
  // caller's cannot leak in (POSTGRES_* would mean a postgres primary on that server).
  const cwd = mkdtempSync(join(tmpdir(), "vcon-server-first-run-"));
  const noPostgres = Object.fromEntries(POSTGRES_ENV_NAMES.map((name) => [name, ""]));
  const start = () => serve([], { cwd, env: { VCON_SERVER_CONFIG: "", VCON_API_KEY: KEY, ...noPostgres } });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it("the README shows the curl session file exactly", () => {
    const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");
    expect(readme).toContain(`\`\`\`bash\n${readFileSync(SESSION, "utf8")}\`\`\``);
  });

  it("runs the README's curl session, and keeps vCons across a restart", async () => {
    const kept = makeVcon({ subject: "survives a restart" });
    const first = await start();
    try {
      expect(first.output()).toContain("Server listening at http://127.0.0.1:");
      // Without the key the session stops before sending anything.
      expect(() =>
        execFileSync("bash", [SESSION], {
          env: { ...process.env, BASE_URL: first.url, VCON_API_KEY: "" },
          encoding: "utf8",
          stdio: "pipe",
        }),
      ).toThrow(/export VCON_API_KEY/);
      const stdout = execFileSync("bash", [SESSION], {
        env: { ...process.env, BASE_URL: first.url, VCON_API_KEY: KEY },
        encoding: "utf8",
        timeout: 30_000,
      });
      const [saved, got, found, deleted] = stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line));
      expect(saved).toEqual({ uuid: SESSION_UUID, storages: [{ storage: "primary", ok: true, saved: 1 }] });
      expect(got).toMatchObject({ uuid: SESSION_UUID, subject: "Billing question" });
      expect(found).toMatchObject({ storage: "primary", nextCursor: null });
      expect(found.items.map((v: { uuid: string }) => v.uuid)).toEqual([SESSION_UUID]);
      expect(deleted).toEqual({
        uuid: SESSION_UUID,
        deleted: true,
        storages: [{ storage: "primary", ok: true, deleted: true }],
      });

      expect((await postJson(`${first.url}/vcons`, kept)).status).toBe(401);
      const keptSaved = await fetch(`${first.url}/vcons`, {
        method: "POST",
        headers: { "content-type": "application/json", ...withKey },
        body: JSON.stringify(kept),
      });
      expect(keptSaved.status).toBe(201);
      const health = await (await fetch(`${first.url}/health`, { headers: withKey })).json();
      expect(health).toMatchObject({ status: "ok", storages: [{ name: "primary", adapter: "postgres" }] });
    } finally {
      expect(await first.stop()).toBe(0);
    }
    expect(existsSync(join(cwd, ".data", "pglite", "PG_VERSION"))).toBe(true);

    const second = await start();
    try {
      const read = await fetch(`${second.url}/vcons/${kept.uuid}`, { headers: withKey });
      expect(read.status).toBe(200);
      expect(await read.json()).toEqual(kept);
      expect((await fetch(`${second.url}/vcons/${SESSION_UUID}`, { headers: withKey })).status).toBe(404);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });
});
