#!/usr/bin/env node
// Docs are code: every example in a README is a file that a test type-checks or runs, and the README
// shows it as it is. Three forms are checked:
//   - the root README: a fenced block right after `<!-- include: path -->` equals that file;
//   - a package README: every ```ts block names its file on its first line (`// test/readme/x.ts`,
//     relative to the package) and equals it;
//   - docs/writing-an-adapter.md: every block naming a file of examples/sample-adapter (`file=` after
//     the fence, or a `// src/...` / `// test/...` first line) equals it, and the sample's main files
//     are all shown (scripts/test-packed.mjs then installs and runs that sample from the tarballs).
// Exits non-zero naming every block that drifted.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// Every path below is relative to the repository root, wherever the script is started from.
process.chdir(fileURLToPath(new URL("..", import.meta.url)));

const INCLUDE = /<!-- include: (\S+) -->\n```[a-z]*\n([\s\S]*?)^```$/gm;
const TS_BLOCK = /^```ts\n([\s\S]*?)^```$/gm;
const NAMED = /^\/\/ (\S+\.tsx?)\n/;

const problems = [];
let checked = 0;

function compare(document, file, body) {
  checked++;
  if (!existsSync(file)) problems.push(`${document}: shows ${file}, which does not exist`);
  else if (readFileSync(file, "utf8").trimEnd() !== body.trimEnd())
    problems.push(`${document}: the block of ${file} differs from the file`);
}

for (const [, file, body] of readFileSync("README.md", "utf8").matchAll(INCLUDE)) {
  compare("README.md", file, body);
}

const packageReadmes = ["packages", "apps"].flatMap((root) =>
  readdirSync(root)
    .map((name) => join(root, name, "README.md"))
    .filter((path) => existsSync(path)),
);
for (const readme of packageReadmes) {
  for (const [, body] of readFileSync(readme, "utf8").matchAll(TS_BLOCK)) {
    const named = NAMED.exec(body)?.[1];
    if (named) compare(readme, join(dirname(readme), named), body);
    else
      problems.push(`${readme}: a ts block does not name its file (${JSON.stringify(body.slice(0, 40))}...)`);
  }
}

const GUIDE = "docs/writing-an-adapter.md";
const SAMPLE = "examples/sample-adapter";
const GUIDE_SHOWS = [
  "package.json",
  "tsconfig.json",
  "tsconfig.build.json",
  "src/index.ts",
  "src/errors.ts",
  "test/conformance.test.ts",
];
const shown = new Set();
for (const [, meta, body] of readFileSync(GUIDE, "utf8").matchAll(/^```\w+([^\n]*)\n([\s\S]*?)^```$/gm)) {
  const file = /\bfile=(\S+)/.exec(meta)?.[1] ?? /^\/\/ ((?:src|test)\/\S+\.ts)\n/.exec(body)?.[1];
  if (!file) continue;
  shown.add(file);
  compare(GUIDE, join(SAMPLE, file), body);
}
for (const file of GUIDE_SHOWS) {
  if (!shown.has(file)) problems.push(`${GUIDE}: does not show ${SAMPLE}/${file}`);
}

if (problems.length > 0) {
  console.error(`Doc examples out of step with their files:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`docs: ${checked} examples match their files`);
