#!/usr/bin/env node
// Proves the published packages work outside the workspace, the way strangers use them. Packs every
// public package and, each in a fresh folder under os.tmpdir() installed with npm from the tarballs:
//   1. an application that only stores vCons (core + memory): it works, and installs no test tools
//      (no fast-check, no vitest);
//   2. the adapter of docs/writing-an-adapter.md, made as a stranger would: the guide's section 1
//      commands in an empty folder (core from its tarball) must produce exactly the package.json the
//      guide prints (examples/sample-adapter/package.json, after the guide's "after publishing" step);
//      then the sample's files are added, type-checked and pass the whole conformance suite, and every
//      other packed package is installed and imported next to it;
//   3. examples/sample-adapter-0.1, a frozen copy of the sample as written against core 0.1: it still
//      type-checks and passes today's suite unchanged.
// For 2 and 3 the suite's property tests must run and pass with only vitest in devDependencies: the
// conformance entry bundles fast-check. (scripts/check-docs.mjs checks the guide shows the sample's files.)
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
const keep = process.argv.includes("--keep");
// `--packages=@vcon/storage-core,@vcon/storage-memory` limits the run (for local iteration only).
const only = process.argv
  .find((arg) => arg.startsWith("--packages="))
  ?.slice("--packages=".length)
  .split(",");
/** Test tools an application must never install just by depending on core. */
const TEST_TOOLS = ["fast-check", "vitest"];
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

function writeManifest(dir, manifest) {
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Points the given dependencies at their tarballs; core resolves to its tarball everywhere. */
function useTarballs(manifest, tarballs, names) {
  const local = Object.fromEntries(names.map((name) => [name, `file:${tarballs[name]}`]));
  manifest.dependencies = { ...manifest.dependencies, ...local };
  manifest.overrides = { "@vcon/storage-core": local["@vcon/storage-core"] };
  return manifest;
}

const NPM_QUIET = ["--no-audit", "--no-fund", "--loglevel=error", "--prefer-offline"];

function npmInstall(dir) {
  run("npm", ["install", ...NPM_QUIET], dir);
}

const GUIDE = join(root, "docs/writing-an-adapter.md");
const SAMPLE = join(root, "examples/sample-adapter");
/** How the guide names core's tarball; replaced by the one just packed. */
const GUIDE_TARBALL = /\.\.\/vcon-storage-core-[\w.-]+\.tgz/g;

/** The guide's ```sh block tagged `tag` (after the language), as a script. */
function guideCommands(tag) {
  const block = new RegExp(`^\`\`\`sh ${tag}\\n([\\s\\S]*?)^\`\`\`$`, "m").exec(readFileSync(GUIDE, "utf8"));
  if (!block) throw new Error(`docs/writing-an-adapter.md has no \`\`\`sh ${tag} block`);
  return block[1];
}

/** Runs shell commands as a reader would paste them, stopping at the first failing one. */
function shell(script, cwd) {
  return execFileSync("bash", ["-euo", "pipefail", "-c", script], {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      npm_config_prefer_offline: "true",
      npm_config_audit: "false",
      npm_config_fund: "false",
    },
  });
}

/**
 * A stranger following docs/writing-an-adapter.md: section 1's commands in an empty folder (core from
 * its tarball), which must produce exactly the package.json the guide prints once the core spec is
 * replaced as the guide says; then the sample's files, type-checked and run against the suite.
 */
function guideFixture(tarballs) {
  const core = tarballs["@vcon/storage-core"];
  const dir = join(work, "vcon-storage-jsonl");
  step("sample-adapter: the guide's section 1 commands", () =>
    shell(guideCommands("setup").replace(GUIDE_TARBALL, core), work),
  );
  step("sample-adapter: they make the package.json the guide prints", () => {
    const beforePublish = readFileSync(join(dir, "package.json"), "utf8");
    if (!beforePublish.includes(`"@vcon/storage-core": "file:`))
      throw new Error("section 1 did not install core from its tarball");
    shell(guideCommands("after-publish"), dir);
    const made = readFileSync(join(dir, "package.json"), "utf8");
    const printed = readFileSync(join(SAMPLE, "package.json"), "utf8");
    if (made !== printed)
      throw new Error(
        `the commands make:\n${made}\nthe guide prints examples/sample-adapter/package.json:\n${printed}`,
      );
    // Back to the tarball: the published version does not exist yet.
    writeFileSync(join(dir, "package.json"), beforePublish);
  });
  step("sample-adapter: add the guide's files", () => {
    for (const entry of ["src", "test", "tsconfig.json", "tsconfig.build.json"])
      cpSync(join(SAMPLE, entry), join(dir, entry), { recursive: true });
  });
  checkAdapter("sample-adapter", dir);
  return dir;
}

/** fast-check absent, type-check, the whole suite with its property tests. */
function checkAdapter(label, dir) {
  step(`${label}: fast-check is not installed (the suite bundles it)`, () =>
    assertNotInstalled(dir, ["fast-check"]),
  );
  step(`${label}: type-check`, () => run("npx", ["tsc", "--noEmit", "-p", "."], dir));
  let summary = "";
  step(`${label}: the whole conformance suite passes`, () => {
    summary = runSuite(dir);
  });
  console.log(`test:packed: ${label}: ${summary}`);
}

function assertNotInstalled(dir, names) {
  const present = names.filter((name) => existsSync(join(dir, "node_modules", name)));
  if (present.length > 0) throw new Error(`installed, but must not be: ${present.join(", ")}`);
}

/**
 * Runs an adapter folder's vitest and checks the report: no failure, and the conformance suite's
 * property-based group really ran (fast-check comes from the bundled conformance entry).
 */
function runSuite(dir) {
  const reportPath = join(dir, "vitest-report.json");
  run("npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile=${reportPath}`], dir);
  const report = JSON.parse(readFileSync(reportPath, "utf8"));
  const tests = report.testResults.flatMap((file) => file.assertionResults);
  const failed = tests.filter((test) => test.status === "failed");
  if (failed.length > 0 || !report.success)
    throw new Error(`failing tests: ${failed.map((test) => test.fullName).join("; ") || "see output"}`);
  const property = tests.filter((test) => /property/i.test(test.ancestorTitles.join(" > ")));
  const propertyPassed = property.filter((test) => test.status === "passed").length;
  if (propertyPassed === 0)
    throw new Error(`no property-based test passed (${property.length} found): fast-check did not run`);
  const passed = tests.filter((test) => test.status === "passed").length;
  return `${passed} passed, ${propertyPassed} of them property-based`;
}

/** Copies an adapter fixture outside the workspace, installs the tarballs, type-checks it, runs its suite. */
function adapterFixture(label, source, tarballs, dependencies) {
  const dir = join(work, label);
  step(`${label}: copy outside the workspace`, () => {
    cpSync(source, dir, { recursive: true, filter: (src) => !/node_modules|\.jsonl$/.test(src) });
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    writeManifest(dir, useTarballs(manifest, tarballs, dependencies));
  });
  step(`${label}: npm install the tarballs`, () => npmInstall(dir));
  checkAdapter(label, dir);
  return dir;
}

const work = mkdtempSync(join(tmpdir(), "vcon-packed-"));
let exitCode = 0;
try {
  const packages = step("find public packages", publicPackages);
  const names = packages.map((pkg) => pkg.name);
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

  // 1. An application: stores vCons, installs no test tools.
  const appDeps = ["@vcon/storage-core", "@vcon/storage-memory"].filter((name) => tarballs[name]);
  if (appDeps.length === 2) {
    const app = join(work, "app");
    step("app: npm install core and memory only", () => {
      mkdirSync(app);
      writeManifest(app, useTarballs({ name: "vcon-app", private: true, type: "module" }, tarballs, appDeps));
      npmInstall(app);
    });
    step(`app: no test tools installed (${TEST_TOOLS.join(", ")})`, () =>
      assertNotInstalled(app, TEST_TOOLS),
    );
    step("app: the suite bundles fast-check but shares core's own modules", () => {
      const suite = readFileSync(
        join(app, "node_modules/@vcon/storage-core/dist/conformance/index.js"),
        "utf8",
      );
      if (!suite.includes("fast-check")) throw new Error("the conformance entry does not bundle fast-check");
      // A second copy of core inside the bundle would mean two StorageError classes at run time.
      if (/class StorageError\b/.test(suite) || !suite.includes('from "../errors.js"'))
        throw new Error("the conformance entry carries its own copy of core instead of importing dist/");
    });
    step("app: saves and reads a vCon; both entry points load", () => {
      const script = [
        "import { createStorage, prepareVcon } from '@vcon/storage-core';",
        "import { toStorageError } from '@vcon/storage-core/adapter';",
        "const storage = await createStorage({ adapter: 'memory' });",
        "const uuid = '0190f1c2-8a3b-7cde-9f01-23456789abcd';",
        "await storage.save(prepareVcon({ uuid, subject: 'packed' }));",
        "const got = await storage.get(uuid);",
        "if (got?.subject !== 'packed') throw new Error('round trip failed: ' + JSON.stringify(got));",
        "if (typeof toStorageError !== 'function') throw new Error('adapter subpath incomplete');",
        "await storage.close();",
      ].join("\n");
      writeFileSync(join(app, "app.mjs"), script);
      run("node", ["app.mjs"], app);
    });
  }

  // 2. The guide's sample adapter, made the way the guide says: its section 1 commands, then its files.
  const sample = guideFixture(tarballs);
  step("sample-adapter: import every packed package", () => {
    const others = names.filter((name) => name !== "@vcon/storage-core").map((name) => tarballs[name]);
    if (others.length > 0) run("npm", ["install", "--no-save", ...NPM_QUIET, ...others], sample);
    const specifiers = [...names, "@vcon/storage-core/adapter", "@vcon/storage-core/conformance"];
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
    writeFileSync(join(sample, "smoke.mjs"), script);
    run("node", ["smoke.mjs"], sample);
  });

  step("sample-adapter: the guide's publish commands build a package that imports by name", () => {
    shell(guideCommands("publish"), sample);
    const manifest = JSON.parse(readFileSync(join(sample, "package.json"), "utf8"));
    for (const file of [manifest.exports.types, manifest.exports.default]) {
      if (!existsSync(join(sample, file)))
        throw new Error(`exports names ${file}, which the build did not make`);
    }
    const check =
      "const m = await import('vcon-storage-jsonl'); if (m.adapter?.name !== 'jsonl') throw new Error('no adapter');";
    run("node", ["--input-type=module", "-e", check], sample);
  });

  // 3. The frozen 0.1 adapter: only core, as its package.json says.
  if (tarballs["@vcon/storage-core"]) {
    adapterFixture("sample-adapter-0.1", join(root, "examples/sample-adapter-0.1"), tarballs, [
      "@vcon/storage-core",
    ]);
  }

  console.log(
    `test:packed: OK: ${packages.length} packages packed, installed and imported; an app installs no test tools; the sample adapter and the frozen 0.1 adapter pass the suite`,
  );
} catch (error) {
  exitCode = 1;
  if (!(error instanceof StepFailure)) console.error(error);
  console.log(`test:packed: FAILED after: ${steps.join(", ") || "nothing"}${keep ? ` (kept ${work})` : ""}`);
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}
process.exit(exitCode);
