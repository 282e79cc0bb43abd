import { packageTestConfig } from "../../vitest.shared.js";

export default packageTestConfig({
  // One PostgreSQL for the whole run: POSTGRES_URL, or an embedded server started here.
  globalSetup: ["@vcon/test-postgres/global-setup"],
  hookTimeout: 120_000,
});
