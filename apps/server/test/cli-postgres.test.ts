import { createTestDatabase, freePort, type TestDatabase } from "@vcon/test-postgres";
import { describe, expect, it } from "vitest";
import { configDir, runCli } from "./cli-helpers.js";
import { describeCli } from "./cli-suite.js";
import { makeVcon } from "./helpers.js";

let database: TestDatabase | undefined;
const serverEnv: NodeJS.ProcessEnv = {};
describeCli("the PostgreSQL server", {
  async options() {
    database = await createTestDatabase("vcon_server_cli");
    const url = new URL(database.url);
    // The password travels through the environment; a server that trusts local users needs none.
    const secret = decodeURIComponent(url.password);
    if (!secret) return `      url: ${url}\n`;
    serverEnv.DATABASE_PASSWORD = secret;
    url.password = "";
    return `      url: ${url}\n      password: \${DATABASE_PASSWORD}\n`;
  },
  env: serverEnv,
  dispose: async () => database?.drop(),
});

const password = "cli-Secret-Pw-42";

describe("CLI against an unreachable PostgreSQL", () => {
  it("names the storage, keeps the password out of the output, and exits 1", async () => {
    const port = await freePort();
    const { file } = configDir(
      `storages:\n  primary:\n    adapter: postgres\n    options:\n      url: postgres://vcon:\${DB_PASSWORD}@127.0.0.1:${port}/vcon\n      connectionTimeoutMs: 1000\n`,
    );
    const env = { DB_PASSWORD: password };
    for (const command of [["get", makeVcon().uuid], ["migrate"], ["serve"]]) {
      const result = await runCli(["--config", file, ...command], { env: { ...env, PORT: "0" } });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /Storage "primary" \(adapter "postgres"\) could not be (opened|migrated)/,
      );
      expect(result.stderr).toContain(`127.0.0.1:${port}`);
      expect(result.stdout + result.stderr).not.toContain(password);
    }
  });
});
