import { packageTestConfig } from "../../vitest.shared.js";

export default packageTestConfig({
  // One PostgreSQL for files that need no server of their own: POSTGRES_URL, or an embedded one.
  globalSetup: ["@vcon/test-postgres/global-setup"],
  hookTimeout: 120_000,
});
