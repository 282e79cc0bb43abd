import { withClient } from "@vcon/test-postgres";

/** Runs SQL on a database over a short-lived connection. */
export const onDatabase = withClient;

/** The adapter's document table, found by its `vcon` column (the change log has a `uuid` column too). */
export async function findVconTable(url: string): Promise<string> {
  return onDatabase(url, async (client) => {
    const { rows } = await client.query<{ name: string }>(
      `select quote_ident(table_schema) || '.' || quote_ident(table_name) as name
         from information_schema.columns
        where column_name = 'vcon' and table_schema not in ('pg_catalog', 'information_schema', 'drizzle')`,
    );
    if (rows.length !== 1) throw new Error(`expected one table with a vcon column, found ${rows.length}`);
    return rows[0]!.name;
  });
}
