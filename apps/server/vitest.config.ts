import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@vcon/source"] },
  ssr: { resolve: { conditions: ["@vcon/source"] } },
  test: {
    include: ["test/**/*.test.ts"],
    // The app's build for CLI tests, then a real PostgreSQL: POSTGRES_URL, or one embedded server.
    globalSetup: ["test/global-setup.ts", "@vcon/test-postgres/global-setup"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
