import { defineConfig, type ViteUserConfig } from "vitest/config";

type TestOptions = NonNullable<ViteUserConfig["test"]>;

/**
 * The vitest config every package shares: workspace packages resolve to their TypeScript sources
 * (the `@vcon/source` export condition, so tests need no build), tests live in `test/`, and a test
 * may take up to 60 s, because CI runs every package's tests at once on two cores. Speed is judged
 * by `pnpm bench`, never by these limits. `test` adds or overrides per package.
 */
export function packageTestConfig(test: TestOptions = {}): ViteUserConfig {
  return defineConfig({
    resolve: { conditions: ["@vcon/source"] },
    ssr: { resolve: { conditions: ["@vcon/source"] } },
    test: { include: ["test/**/*.test.ts"], testTimeout: 60_000, ...test },
  });
}
