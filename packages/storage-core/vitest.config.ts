import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@vcon/source"] },
  ssr: { resolve: { conditions: ["@vcon/source"] } },
  test: {
    include: ["test/**/*.test.ts"],
    // CI runs every package's tests at once on two cores: a generous limit keeps slow-but-correct
    // tests from failing on load. Performance is judged by `pnpm bench`, never by these limits.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
