#!/usr/bin/env node
// Docs are code: every example in a README is a file that a test type-checks or runs, and the README
// shows it as it is. Two forms are checked:
//   - the root README: a fenced block right after `<!-- include: path -->` equals that file;
//   - a package README: every ```ts block names its file on its first line (`// test/readme/x.ts`,
//     relative to the package) and equals it.
// Exits non-zero naming every block that drifted.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

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

if (problems.length > 0) {
  console.error(`README examples out of step with their files:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`docs: ${checked} README examples match their files`);
