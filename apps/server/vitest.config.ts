import { packageTestConfig } from "../../vitest.shared.js";

export default packageTestConfig({
  // The app's build for CLI tests, then a real PostgreSQL: POSTGRES_URL, or one embedded server.
  globalSetup: ["test/global-setup.ts", "@vcon/test-postgres/global-setup"],
  hookTimeout: 60_000,
});
