import { execFileSync } from "node:child_process";

/** CLI tests run the built `dist/cli.js`; turbo builds only the app's dependencies before `test`. */
export default function setup(): void {
  execFileSync("pnpm", ["--filter", "@vcon/example-server", "build"], { stdio: "inherit" });
}
