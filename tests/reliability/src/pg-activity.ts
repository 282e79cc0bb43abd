import { sqlRows } from "@vcon/test-postgres";

/** Counts connections to `database` from another database's session, so the count excludes itself. */
export async function connectionsTo(databaseUrl: string): Promise<number> {
  const url = new URL(databaseUrl);
  const database = decodeURIComponent(url.pathname.slice(1));
  url.pathname = "/postgres";
  const rows = await sqlRows<{ n: number }>(
    url.toString(),
    "select count(*)::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
    [database],
  );
  return rows[0]?.n ?? 0;
}

/** Samples `connectionsTo` until stopped and reports the highest count seen. */
export function sampleConnections(databaseUrl: string, everyMs = 50) {
  let highest = 0;
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      highest = Math.max(highest, await connectionsTo(databaseUrl));
      samples++;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop(): Promise<{ highest: number; samples: number }> {
      running = false;
      await loop;
      return { highest, samples };
    },
  };
}
