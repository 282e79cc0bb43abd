import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@vcon/source"] },
  ssr: { resolve: { conditions: ["@vcon/source"] } },
  test: {
    include: ["test/**/*.test.ts"],
    // POSTGRES_URL, or an embedded server for the whole run; the bench child process inherits it.
    globalSetup: ["@vcon/test-postgres/global-setup"],
    testTimeout: 60_000,
  },
});
