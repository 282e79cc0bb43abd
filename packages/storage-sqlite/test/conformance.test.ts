import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeConformance } from "@vcon/storage-core/conformance";
import Database from "better-sqlite3";
import { SqliteAdapter } from "../src/index.js";

const folder = mkdtempSync(join(tmpdir(), "vcon-sqlite-conformance-"));
let files = 0;
let latest: SqliteAdapter | null = null;
const refused = new Set<string>();

/** Rewrites the failWrites triggers in the latest storage's file to refuse the uuids in `refused`. */
async function applyTriggers(): Promise<void> {
  if (!latest) throw new Error("failWrites before any storage was created");
  await latest.open();
  const db = new Database(latest.path);
  try {
    db.pragma("busy_timeout = 5000");
    const table = latest.tables.base;
    for (const event of ["insert", "update"]) {
      db.prepare(`DROP TRIGGER IF EXISTS "${table}_fail_${event}"`).run();
      if (refused.size === 0) continue;
      const list = [...refused].map((uuid) => `'${uuid}'`).join(", ");
      db.prepare(
        `CREATE TRIGGER "${table}_fail_${event}" BEFORE ${event.toUpperCase()} ON "${table}"
         WHEN NEW.uuid IN (${list}) BEGIN SELECT RAISE(ABORT, 'failWrites hook refused this uuid'); END`,
      ).run();
    }
  } finally {
    db.close();
  }
}

// A file per storage (WAL, a second connection for export): the mode deployments use. A trigger in the
// file makes SQLite itself refuse the writes of the failWrites hook.
describeConformance("sqlite (file)", {
  create: () => {
    latest = new SqliteAdapter({ path: join(folder, `db${files++}.sqlite`) });
    return latest;
  },
  failWrites: async (uuid) => {
    refused.add(uuid);
    await applyTriggers();
  },
  restoreWrites: async () => {
    refused.clear();
    await applyTriggers();
  },
  teardown: () => rmSync(folder, { recursive: true, force: true }),
});

describeConformance("sqlite (:memory:)", {
  create: () => new SqliteAdapter({ path: ":memory:" }),
});
