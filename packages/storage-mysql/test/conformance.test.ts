import { describeConformance } from "@vcon/storage-core/conformance";
import type mysql from "mysql2/promise";
import { MysqlAdapter } from "../src/index.js";
import { describeWithMysql, testDatabase } from "./mysql-env.js";

const database = testDatabase("conformance");
let tables = 0;
let latest: MysqlAdapter | null = null;
let raw: mysql.Connection | null = null;
const refused = new Set<string>();

/** Rewrites the failWrites triggers of the latest storage's table to refuse the uuids in `refused`. */
async function applyTriggers(): Promise<void> {
  if (!latest) throw new Error("failWrites before any storage was created");
  await latest.open();
  raw ??= await database.connect();
  const table = latest.tables.base;
  for (const event of ["insert", "update"]) {
    const trigger = `\`${table}_fail_${event}\``;
    await raw.query(`DROP TRIGGER IF EXISTS ${trigger}`);
    if (refused.size === 0) continue;
    const list = [...refused].map((uuid) => raw!.escape(uuid)).join(", ");
    await raw.query(
      `CREATE TRIGGER ${trigger} BEFORE ${event.toUpperCase()} ON \`${table}\` FOR EACH ROW
       BEGIN IF NEW.uuid IN (${list}) THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'failWrites hook refused this uuid'; END IF; END`,
    );
  }
}

await describeWithMysql("mysql conformance", () => {
  describeConformance("mysql", {
    setup: () => database.create(),
    teardown: async () => {
      await raw?.end();
      await database.drop();
    },
    // A table per storage keeps every test's data apart.
    // Connected first, as the registry does, so core sees maxDocumentBytes from max_allowed_packet.
    create: async () => {
      latest = await MysqlAdapter.connect({ url: database.url, table: `t${tables++}` });
      return latest;
    },
    // A trigger on the table makes MariaDB itself refuse the write (SQLSTATE 45000).
    failWrites: async (uuid) => {
      refused.add(uuid);
      await applyTriggers();
    },
    restoreWrites: async () => {
      refused.clear();
      await applyTriggers();
    },
    // Server-side sessions on this test database (the admin connections use no database).
    openResources: async () => {
      raw ??= await database.connect();
      const [rows] = await raw.query(
        "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()",
        [database.name],
      );
      return Number((rows as Array<{ n: number }>)[0]!.n);
    },
  });
});
