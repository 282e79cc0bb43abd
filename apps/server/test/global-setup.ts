import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const APP_DIR = join(import.meta.dirname, "..");

/**
 * CLI tests run the built `dist/cli.js`, which loads the adapters' built `dist/` too. Turbo builds
 * them before `test`; when the app's tests run alone, a workspace dependency never built is built
 * here (ones already built are left as they are), then the app itself.
 */
export default function setup(): void {
  const manifest = JSON.parse(readFileSync(join(APP_DIR, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  const unbuilt = Object.keys(manifest.dependencies).filter(
    (name) =>
      name.startsWith("@vcon/") && !existsSync(join(APP_DIR, "node_modules", name, "dist", "index.js")),
  );
  for (const name of unbuilt) execFileSync("pnpm", ["--filter", name, "build"], { stdio: "inherit" });
  execFileSync("pnpm", ["--filter", "@vcon/example-server", "build"], { stdio: "inherit" });
}
