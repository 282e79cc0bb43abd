/** The README's code blocks are real files: each names its file on its first line and must equal it. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { demo } from "./readme/usage.example.js";

const packageRoot = new URL("../", import.meta.url);
const readme = readFileSync(new URL("README.md", packageRoot), "utf8");
const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map(([, body]) => ({
  file: /^\/\/ (\S+\.ts)\n/.exec(body!)?.[1] ?? "(unnamed)",
  body: body!,
}));

describe("README", () => {
  it("names the file of every example", () => {
    expect(blocks.map((block) => block.file)).toStrictEqual([
      "test/readme/usage.example.ts",
      "test/conformance.test.ts",
    ]);
  });

  for (const { file, body } of blocks) {
    it(`shows ${file} as it is`, () => {
      expect(body.trimEnd()).toBe(readFileSync(new URL(file, packageRoot), "utf8").trimEnd());
    });
  }

  it("the usage example finds the vCon it saved", async () => {
    expect(await demo()).toStrictEqual(["0190f1c2-8a3b-7cde-9f01-23456789abcd"]);
  });
});
