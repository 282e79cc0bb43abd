import { createTestDatabase, type TestDatabase } from "@vcon/test-postgres";
import { describeSafeService } from "./safe-service-suite.js";

let database: TestDatabase | undefined;

describeSafeService("the PostgreSQL server", {
  async storages() {
    database = await createTestDatabase("vcon_server_safe");
    return { primary: { adapter: "postgres", options: { url: database.url } } };
  },
  dispose: async () => database?.drop(),
});
