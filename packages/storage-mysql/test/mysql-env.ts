import { randomBytes } from "node:crypto";
import mysql from "mysql2/promise";
import { describe, it } from "vitest";

export const MYSQL_URL = process.env.MYSQL_URL ?? "mysql://root@127.0.0.1:3306";

/**
 * What to do when the probe found no server: skip with the reason, except under CI=true, where a
 * missing MySQL must fail the run. Returns the skip reason, or null when the server answered.
 */
export function skipDecision(
  probeError: string | null,
  env: Record<string, string | undefined>,
): string | null {
  if (probeError === null) return null;
  const reason = `no MySQL/MariaDB at MYSQL_URL ${redact(env.MYSQL_URL ?? MYSQL_URL)} (${probeError})`;
  if (env.CI === "true") throw new Error(`CI=true and ${reason}: start mariadbd or set MYSQL_URL`);
  return reason;
}

export async function probeMysql(env = process.env): Promise<string | null> {
  let problem: string | null = null;
  try {
    const connection = await mysql.createConnection({ uri: MYSQL_URL, connectTimeout: 1500 });
    await connection.query("SELECT 1");
    await connection.end();
  } catch (error) {
    problem = (error as { code?: string }).code ?? (error as Error).message;
  }
  return skipDecision(problem, env);
}

/** `describe` when the server answers; otherwise a skipped suite whose title carries the reason. */
export async function describeWithMysql(title: string, body: () => void): Promise<void> {
  const reason = await probeMysql();
  if (reason === null) {
    describe(title, body);
    return;
  }
  console.warn(`[storage-mysql] ${title}: skipped, ${reason}`);
  describe.skip(`${title} (skipped: ${reason})`, () => {
    it("needs a MySQL or MariaDB server", () => {});
  });
}

/** A database of this test file's own: created by `create()`, dropped by `drop()`. */
export function testDatabase(label: string) {
  const name = `vcon_test_${label}_${randomBytes(4).toString("hex")}`;
  const url = new URL(MYSQL_URL);
  url.pathname = `/${name}`;
  return {
    name,
    /** MYSQL_URL pointing at this database. */
    url: url.toString(),
    async create(): Promise<void> {
      await admin(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    },
    async drop(): Promise<void> {
      await admin(`DROP DATABASE IF EXISTS \`${name}\``);
    },
    /** A raw connection to this database, for looking behind the adapter's back. */
    connect(): Promise<mysql.Connection> {
      return mysql.createConnection({ uri: url.toString(), multipleStatements: true });
    },
  };
}

async function admin(sql: string): Promise<void> {
  const connection = await mysql.createConnection({ uri: MYSQL_URL });
  try {
    await connection.query(sql);
  } finally {
    await connection.end();
  }
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable URL)";
  }
}
