import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { Vcon } from "@vcon/storage-core";
import pg from "pg";

/** Debian's interpreter, where python3-peewee lives (the python3 on PATH may be another one). */
export const PYTHON = "/usr/bin/python3";
const MODULE = fileURLToPath(new URL("./python/vcon_module.py", import.meta.url));

export function peeweeAvailable(): boolean {
  try {
    execFileSync(PYTHON, ["-c", "import peewee, psycopg2, playhouse.postgres_ext"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Runs the stand-in of vcon-server's module (test/python/vcon_module.py) against `url`. */
export function python(url: string, command: "create" | "save" | "get", argument?: string | object): string {
  const args = [MODULE, url, command, ...(typeof argument === "string" ? [argument] : [])];
  const input = typeof argument === "object" ? JSON.stringify(argument) : undefined;
  return execFileSync(PYTHON, args, { input, encoding: "utf8" }).trim();
}

/** The DDL peewee emits for the module's model: the table as vcon-server leaves it. */
export const PYTHON_TABLE_DDL = `CREATE TABLE IF NOT EXISTS "vcons" ("id" UUID NOT NULL PRIMARY KEY, "vcon" TEXT NOT NULL,
  "uuid" UUID NOT NULL, "created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP, "subject" TEXT, "vcon_json" JSONB)`;

/**
 * A pool owned by the test, as an application's would be. It listens for "error": pg.Pool emits it
 * for an idle client the server ends, and `pool.end()` resolves before its sockets are closed, so the
 * database's drop (WITH FORCE) can end one afterwards; unheard, that error would crash the run.
 */
export function callerPool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config);
  pool.on("error", () => {});
  return pool;
}

export function sampleVcon(overrides: Partial<Vcon> = {}): Vcon {
  return {
    uuid: randomUUID(),
    vcon: "0.0.1",
    created_at: "2024-03-01T10:00:00.000Z",
    subject: "Billing question",
    parties: [
      { tel: `+1555${Math.floor(Math.random() * 1e7)}`, name: "Alice" },
      { mailto: "bob@example.com", name: "Bob" },
    ],
    dialog: [
      { type: "text", start: "2024-03-01T10:00:00.000Z", parties: [0, 1], body: "Hi", encoding: "none" },
    ],
    ...overrides,
  };
}
