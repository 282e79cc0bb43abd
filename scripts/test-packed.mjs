#!/usr/bin/env node
// Proves the published packages work outside the workspace, the way a stranger would use them:
// packs every public package, installs the tarballs into a fresh folder under os.tmpdir() next to a
// copy of examples/sample-adapter, imports every package, type-checks the sample and runs its
// conformance suite. (scripts/check-docs.mjs checks that docs/writing-an-adapter.md shows its real files.)
// Assumes `pnpm build` ran. No dependencies; exits non-zero on any failure.
import { execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const sampleDir = join(root, "examples/sample-adapter");
const keep = process.argv.includes("--keep");
// `--packages=@vcon/storage-core,@vcon/storage-memory` limits the run (for local iteration only).
const only = process.argv
  .find((arg) => arg.startsWith("--packages="))
  ?.slice("--packages=".length)
  .split(",");
const steps = [];

function step(name, action) {
  const started = Date.now();
  process.stdout.write(`test:packed: ${name} ... `);
  try {
    const result = action();
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`ok (${seconds}s)`);
    steps.push(name);
    return result;
  } catch (error) {
    console.log("FAILED");
    const output = [error.stdout, error.stderr].filter(Boolean).map(String).join("\n");
    console.error(output || error.message);
    throw new StepFailure(name);
  }
}

class StepFailure extends Error {}

function run(command, args, cwd) {
  return execFileSync(command, args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: process.env,
  });
}

function publicPackages() {
  const dirs = readdirSync(join(root, "packages"), { withFileTypes: true }).filter((d) => d.isDirectory());
  const packages = [];
  for (const dir of dirs) {
    const path = join(root, "packages", dir.name);
    const manifestPath = join(path, "package.json");
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
    if (manifest.private || (only && !only.includes(manifest.name))) continue;
    if (!existsSync(join(path, "dist")))
      throw new Error(`${manifest.name} has no dist/: run \`pnpm build\` first`);
    packages.push({ name: manifest.name, version: manifest.version, path, manifest });
  }
  return packages;
}

const work = mkdtempSync(join(tmpdir(), "vcon-packed-"));
let exitCode = 0;
try {
  const packages = step("find public packages", publicPackages);
  const tarballDir = join(work, "tarballs");
  mkdirSync(tarballDir);
  const tarballs = step(`pnpm pack ${packages.length} packages`, () => {
    const found = {};
    for (const pkg of packages) {
      const before = new Set(readdirSync(tarballDir));
      run("pnpm", ["pack", "--pack-destination", tarballDir], pkg.path);
      const created = readdirSync(tarballDir).filter((file) => !before.has(file));
      if (created.length !== 1) throw new Error(`pnpm pack of ${pkg.name} made ${created.length} files`);
      found[pkg.name] = join(tarballDir, created[0]);
    }
    return found;
  });

  const app = join(work, "sample-adapter");
  step("copy the sample adapter outside the workspace", () => {
    cpSync(sampleDir, app, { recursive: true, filter: (src) => !/node_modules|\.jsonl$/.test(src) });
    const manifest = JSON.parse(readFileSync(join(app, "package.json"), "utf8"));
    const local = Object.fromEntries(Object.entries(tarballs).map(([name, file]) => [name, `file:${file}`]));
    // Every packed package is installed for the import check; core resolves to its tarball everywhere.
    manifest.dependencies = { ...manifest.dependencies, ...local };
    manifest.overrides = { ...local };
    writeFileSync(join(app, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  });

  step("npm install the tarballs", () =>
    run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", "--prefer-offline"], app),
  );

  step("import every packed package", () => {
    const specifiers = [...Object.keys(tarballs), "@vcon/storage-core/conformance"];
    const script = [
      `const specifiers = ${JSON.stringify(specifiers)};`,
      "for (const specifier of specifiers) {",
      "  const module = await import(specifier);",
      "  if (Object.keys(module).length === 0) throw new Error(specifier + ' exports nothing');",
      "  if (/^@vcon\\/storage-(?!core)[\\w-]+$/.test(specifier) && !module.adapter?.name) {",
      "    throw new Error(specifier + ' exports no adapter definition');",
      "  }",
      "}",
      "const core = await import('@vcon/storage-core');",
      "if (typeof core.createStorage !== 'function' || typeof core.validateVcon !== 'function') throw new Error('core API missing');",
    ].join("\n");
    writeFileSync(join(app, "smoke.mjs"), script);
    run("node", ["smoke.mjs"], app);
  });

  step("type-check the sample adapter", () => run("npx", ["tsc", "--noEmit", "-p", "."], app));
  step("run the sample adapter's conformance suite", () => run("npx", ["vitest", "run"], app));

  console.log(
    `test:packed: OK: ${packages.length} packages packed, installed and imported; sample adapter passes the suite`,
  );
} catch (error) {
  exitCode = 1;
  if (!(error instanceof StepFailure)) console.error(error);
  console.log(`test:packed: FAILED after: ${steps.join(", ") || "nothing"}${keep ? ` (kept ${work})` : ""}`);
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}
process.exit(exitCode);
