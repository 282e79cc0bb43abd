/** The README's code blocks are real files: each names its file on its first line and must equal it. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { main } from "./readme/map-adapter.example.js";
import { forDraft, forStorage } from "./readme/validate.example.js";

const packageRoot = new URL("../", import.meta.url);

function readmeBlocks(readmeUrl: URL): Array<{ file: string; body: string }> {
  const readme = readFileSync(readmeUrl, "utf8");
  return [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map(([, body]) => {
    const file = /^\/\/ (\S+\.ts)\n/.exec(body!)?.[1];
    if (!file) throw new Error(`A README ts block does not name its file:\n${body!.slice(0, 80)}`);
    return { file, body: body! };
  });
}

describe("README", () => {
  const blocks = readmeBlocks(new URL("README.md", packageRoot));

  it("has examples", () => {
    expect(blocks.map((block) => block.file)).toStrictEqual([
      "test/readme/errors.example.ts",
      "test/readme/map-adapter.example.ts",
      "test/readme/validate.example.ts",
      "test/readme/conformance.test.ts",
    ]);
  });

  for (const { file, body } of blocks) {
    it(`shows ${file} as it is`, () => {
      expect(body.trimEnd()).toBe(readFileSync(new URL(file, packageRoot), "utf8").trimEnd());
    });
  }

  it("the registry example runs as described", async () => {
    const logged: unknown[] = [];
    const debug = console.debug;
    console.debug = (...args: unknown[]) => void logged.push(args);
    try {
      expect(await main()).toStrictEqual(["save ok", "get ok", "search NOT_SUPPORTED", "close ok"]);
    } finally {
      console.debug = debug;
    }
    expect(logged.length).toBe(4);
  });

  it("the validator example reports what its comments say", () => {
    expect(forStorage).toStrictEqual({ ok: true, issues: [] });
    expect(forDraft.issues.map((issue) => issue.path)).toStrictEqual([
      "$.dialog[0].type",
      "$.dialog[0].parties[1]",
    ]);
  });
});
