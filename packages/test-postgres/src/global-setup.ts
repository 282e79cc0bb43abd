import { type EmbeddedServer, startEmbeddedPostgres } from "./embedded.js";

/**
 * vitest globalSetup: when POSTGRES_URL is unset, start one embedded PostgreSQL for the whole run and
 * hand its URL to the test workers through the environment they inherit.
 */
export default async function setup(): Promise<() => Promise<void>> {
  if (process.env.POSTGRES_URL) return async () => {};
  const server: EmbeddedServer = await startEmbeddedPostgres();
  process.env.POSTGRES_URL = server.url;
  return async () => {
    delete process.env.POSTGRES_URL;
    await server.dispose();
  };
}
