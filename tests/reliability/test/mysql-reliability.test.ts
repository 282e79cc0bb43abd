/**
 * MySQL/MariaDB under hostile input, concurrency across two pools on one table, and connections
 * killed by the server mid-run. Uses MYSQL_URL, else mysql://root@127.0.0.1:3306, in a database of its
 * own; without a server the file is skipped with the reason printed, except under CI=true.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { fromAdapter, isStorageError, type VconStorage } from "@vcon/storage-core";
import { MysqlAdapter } from "@vcon/storage-mysql";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rejectsWith } from "../src/outcome.js";
import { smallVcon } from "../src/vcons.js";
import { sqlHostileInputTests } from "./sqlite-and-mysql-hostile.js";

const SERVER = process.env.MYSQL_URL ?? "mysql://root@127.0.0.1:3306";
const database = `vcon_reliability_${randomBytes(4).toString("hex")}`;
const url = (() => {
  const parsed = new URL(SERVER);
  parsed.pathname = `/${database}`;
  return parsed.toString();
})();

async function probe(): Promise<string | null> {
  try {
    const connection = await mysql.createConnection({ uri: SERVER, connectTimeout: 1500 });
    await connection.end();
    return null;
  } catch (error) {
    const reason = `no MySQL/MariaDB at MYSQL_URL (${(error as { code?: string }).code ?? (error as Error).message})`;
    if (process.env.CI === "true") throw new Error(`CI=true and ${reason}: start mariadbd or set MYSQL_URL`);
    return reason;
  }
}

const skipReason = await probe();
if (skipReason) console.warn(`[reliability] mysql: skipped, ${skipReason}`);

async function admin(sql: string): Promise<void> {
  const connection = await mysql.createConnection({ uri: SERVER });
  try {
    await connection.query(sql);
  } finally {
    await connection.end();
  }
}

describe.skipIf(skipReason !== null)(
  `mysql reliability${skipReason ? ` (skipped: ${skipReason})` : ""}`,
  () => {
    let tables = 0;
    const open = (options: Record<string, unknown> = {}) =>
      MysqlAdapter.connect({ url, table: `r${tables++}`, ...options });
    beforeAll(() => admin(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`));
    afterAll(() => admin(`DROP DATABASE IF EXISTS \`${database}\``));

    describe("hostile input", () => {
      let storage: VconStorage;
      beforeAll(async () => {
        storage = fromAdapter(await open());
      });
      afterAll(() => storage.close());
      sqlHostileInputTests(() => storage);

      it("a table name that is not a plain identifier is VALIDATION", async () => {
        await rejectsWith(
          "VALIDATION",
          async () => new MysqlAdapter({ url, table: "x`; DROP DATABASE mysql; --" }),
        );
      });
    });

    it("two pools writing, deleting and searching one table at once: every acknowledged write is there", async () => {
      const first = await open({ poolSize: 4 });
      const table = first.tables.base;
      const a = fromAdapter(first);
      const b = fromAdapter(await MysqlAdapter.connect({ url, table, poolSize: 4 }));
      const kept: string[] = [];
      const deleted: string[] = [];
      const tasks: Array<Promise<unknown>> = [];
      for (let i = 0; i < 120; i++) {
        const uuid = randomUUID();
        const doomed = i % 4 === 0;
        tasks.push(
          (i % 2 === 0 ? a : b)
            .save({ ...smallVcon(uuid), parties: [{ tel: `+1888${i}` }] })
            .then(async () => {
              if (doomed) {
                expect(await (i % 3 === 0 ? a : b).delete(uuid)).toBe(true);
                deleted.push(uuid);
              } else kept.push(uuid);
            }),
        );
        if (i % 10 === 0) tasks.push(b.search({ tel: `+1888${i}` }));
        if (i % 40 === 0)
          tasks.push(
            b
              .saveMany([smallVcon(uuid), smallVcon()].map((v) => ({ ...v, parties: [] })))
              .then(() => undefined),
          );
      }
      // saveMany above may race a delete of the same uuid: only the single-uuid outcomes are asserted.
      await Promise.all(tasks);
      for (const uuid of kept) expect(await a.exists(uuid)).toBe(true);
      const raw = await mysql.createConnection({ uri: url });
      const [rows] = (await raw.query(
        `SELECT COUNT(*) AS n FROM \`${table}_keys\` k LEFT JOIN \`${table}\` d ON d.uuid = k.uuid WHERE d.uuid IS NULL`,
      )) as unknown as [Array<{ n: number }>];
      await raw.end();
      // No orphaned search keys: keys and documents change in one transaction.
      expect(Number(rows[0]!.n)).toBe(0);
      await a.close();
      await b.close();
    });

    it("connections killed by the server: calls fail typed or succeed, the pool recovers, no acknowledged write is lost", async () => {
      const adapter = await open({ poolSize: 4 });
      const storage = fromAdapter(adapter);
      const acknowledged: string[] = [];
      for (let i = 0; i < 30; i++) {
        const vcon = smallVcon();
        await storage.save(vcon);
        acknowledged.push(vcon.uuid as string);
      }
      const killer = await mysql.createConnection({ uri: SERVER });
      try {
        const [sessions] = (await killer.query(
          "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()",
          [database],
        )) as unknown as [Array<{ id: number }>];
        expect(sessions.length).toBeGreaterThan(0);
        for (const { id } of sessions) await killer.query(`KILL CONNECTION ${Number(id)}`);
      } finally {
        await killer.end();
      }
      // The next calls may meet a dead pooled connection: a typed UNAVAILABLE, never a crash or a hang.
      for (let i = 0; i < 6; i++) {
        try {
          await storage.get(acknowledged[i]!);
        } catch (error) {
          expect(isStorageError(error, "UNAVAILABLE"), String(error)).toBe(true);
        }
      }
      const after = smallVcon();
      await storage.save(after);
      acknowledged.push(after.uuid as string);
      for (const uuid of acknowledged) expect(await storage.exists(uuid)).toBe(true);
      await storage.close();
    });
  },
);
