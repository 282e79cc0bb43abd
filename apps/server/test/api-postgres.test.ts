import { BODY_LIMIT, describeHttpApi, MAX_BATCH } from "./api-suite.js";
import { startServer } from "./helpers.js";
import { FAST_FAILURE, type ProxiedDatabase, proxiedDatabase } from "./postgres.js";

let db: ProxiedDatabase | undefined;

// A pg pool on the real PostgreSQL server, through a proxy the last test takes down.
describeHttpApi("the PostgreSQL server", {
  async start() {
    db = await proxiedDatabase("vcon_server_api");
    return startServer({
      server: { bodyLimit: BODY_LIMIT, maxBatch: MAX_BATCH },
      storages: { primary: { adapter: "postgres", options: { url: db.proxiedUrl, ...FAST_FAILURE } } },
    });
  },
  async outage() {
    await db!.proxy.stop();
    return "UNAVAILABLE";
  },
  dispose: async () => db?.dispose(),
});
