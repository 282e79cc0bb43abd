import { fromAdapter } from "@vcon/storage-core";
import { createTestDatabase, sqlRows, type TestDatabase } from "@vcon/test-postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import { PostgresAdapter } from "../src/index.js";
import { callerPool, sampleVcon } from "./helpers.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase("time_zone");
});
afterAll(() => database?.drop());

it("a caller's pool in another time zone stores offset-less created_at as UTC (core's rule)", async () => {
  const pool = callerPool({ connectionString: database.url, options: "-c TimeZone=America/New_York" });
  const storage = fromAdapter(await PostgresAdapter.connect({ pool }));
  try {
    const vcons = [
      sampleVcon({ created_at: "2024-03-16T16:09:20.701906" }),
      sampleVcon({ created_at: "2024-03-16 16:09" }),
      sampleVcon({ created_at: "2024-03-17" }),
      sampleVcon({ created_at: "2024-03-16T16:09:20-04:00" }),
    ];
    for (const vcon of vcons) await storage.save(vcon);
    const rows = await sqlRows<{ id: string; utc: string }>(
      database.url,
      `SELECT id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS utc FROM vcons`,
    );
    const utc = new Map(rows.map((row) => [row.id, row.utc]));
    expect(vcons.map((vcon) => utc.get(vcon.uuid))).toEqual([
      "2024-03-16T16:09:20.701906",
      "2024-03-16T16:09:00.000000",
      "2024-03-17T00:00:00.000000",
      "2024-03-16T20:09:20.000000",
    ]);
    const window = await storage.search({ since: "2024-03-16T16:00:00Z", until: "2024-03-16T17:00:00Z" });
    expect(window.items.map((item) => item.uuid).sort()).toEqual([vcons[0]!.uuid, vcons[1]!.uuid].sort());
  } finally {
    await storage.close();
    await pool.end();
  }
});
