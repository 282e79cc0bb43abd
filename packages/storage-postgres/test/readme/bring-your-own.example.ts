// test/readme/bring-your-own.example.ts
import { fromAdapter } from "@vcon/storage-core";
import { PostgresAdapter } from "@vcon/storage-postgres";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";

/** Share your application's pool (or Drizzle database): the adapter borrows it and never ends it. */
export async function withExistingPool(connectionString: string) {
  const pool = new pg.Pool({ connectionString, max: 20 });
  const db = drizzle(pool);
  const storage = fromAdapter(await PostgresAdapter.connect({ db }));
  await storage.close(); // leaves `pool` open for the rest of the application
  const stillWorks = await pool.query("SELECT 1 AS one");
  await pool.end();
  return stillWorks.rows[0];
}
