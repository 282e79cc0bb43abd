import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@vcon/source"] },
  ssr: { resolve: { conditions: ["@vcon/source"] } },
  test: {
    include: ["test/**/*.test.ts"],
    // One PostgreSQL for the whole run: POSTGRES_URL, or an embedded server started here.
    globalSetup: ["@vcon/test-postgres/global-setup"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
