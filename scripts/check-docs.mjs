#!/usr/bin/env node
// Docs are code: a fenced block right after `<!-- include: path -->` must equal that file, which a test
// type-checks or runs. Checks the root README; exits non-zero naming every block that drifted.
import { readFileSync } from "node:fs";

const documents = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["README.md"];
const INCLUDE = /<!-- include: (\S+) -->\n```[a-z]*\n([\s\S]*?)^```$/gm;
let checked = 0;
const drifted = [];
for (const document of documents) {
  const text = readFileSync(document, "utf8");
  for (const [, file, body] of text.matchAll(INCLUDE)) {
    checked++;
    if (readFileSync(file, "utf8").trimEnd() !== body.trimEnd())
      drifted.push(`${document}: block of ${file}`);
  }
}
if (drifted.length > 0) {
  console.error(`These blocks differ from their files:\n  ${drifted.join("\n  ")}`);
  process.exit(1);
}
console.log(`docs: ${checked} included blocks match their files`);
