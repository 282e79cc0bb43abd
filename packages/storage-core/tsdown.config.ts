/**
 * Bundles the conformance entry (dist/conformance/index.js) with fast-check inside, so an adapter with
 * only vitest in its devDependencies runs the whole suite, while applications that only store vCons
 * never install test tools. `tsc` still emits every declaration and the rest of dist/; the suite's
 * imports of core's own modules stay imports of those files, so there is one copy of core at run time.
 */
import { readdirSync, rmSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type UserConfig } from "tsdown";

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, "src");
const conformanceSrc = join(src, "conformance");
const outDir = join(here, "dist", "conformance");

/** A core module outside the suite, imported from inside it: kept as an import of tsc's output. */
const coreModulesStayShared = {
  name: "core-modules-stay-shared",
  resolveId(source: string, importer: string | undefined) {
    if (!importer || !source.startsWith(".")) return null;
    const target = resolve(dirname(importer), source);
    const inSuite = importer.startsWith(conformanceSrc + sep);
    if (!inSuite || !target.startsWith(src + sep) || target.startsWith(conformanceSrc + sep)) return null;
    const emitted = join(here, "dist", relative(src, target)).replace(/\.ts$/, ".js");
    const specifier = relative(outDir, emitted).split(sep).join("/");
    return { id: specifier.startsWith("../") ? specifier : `./${specifier}`, external: true };
  },
};

/** tsc's JavaScript for the suite is replaced by the bundle; its declarations stay. */
function removeSuiteJavaScript(dir = outDir): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) removeSuiteJavaScript(path);
    else if (/\.js(\.map)?$/.test(entry.name)) rmSync(path);
  }
}

const config: UserConfig = defineConfig({
  entry: { index: "src/conformance/index.ts" },
  outDir,
  clean: false,
  dts: false,
  format: "esm",
  platform: "node",
  target: "node20",
  fixedExtension: false,
  tsconfig: "tsconfig.build.json",
  deps: { alwaysBundle: ["fast-check", "pure-rand"], onlyBundle: ["fast-check", "pure-rand"] },
  plugins: [coreModulesStayShared],
  hooks: { "build:prepare": () => removeSuiteJavaScript() },
});

export default config;
