import { packageTestConfig } from "../vitest.shared.js";

export default packageTestConfig({
  // POSTGRES_URL, or an embedded server for the whole run; the bench child process inherits it.
  globalSetup: ["@vcon/test-postgres/global-setup"],
});
