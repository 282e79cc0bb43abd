import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@vcon/source"] },
  ssr: { resolve: { conditions: ["@vcon/source"] } },
  test: {
    include: ["test/**/*.test.ts"],
    // One PostgreSQL for files that need no server of their own: POSTGRES_URL, or an embedded one.
    globalSetup: ["@vcon/test-postgres/global-setup"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
