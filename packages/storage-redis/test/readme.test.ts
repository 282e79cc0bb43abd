/** The README's code blocks are real files: each names its file on its first line and must equal it. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { withExistingClient } from "./readme/borrowed-client.example.js";
import { quickstart } from "./readme/quickstart.example.js";
import { deleteKeys, describeWithRedis, REDIS_URL, uniquePrefix } from "./redis-env.js";

const packageRoot = new URL("../", import.meta.url);

function readmeBlocks(): Array<{ file: string; body: string }> {
  const readme = readFileSync(new URL("README.md", packageRoot), "utf8");
  return [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map(([, body]) => {
    const file = /^\/\/ (\S+\.ts)\n/.exec(body!)?.[1];
    if (!file) throw new Error(`A README ts block does not name its file:\n${body!.slice(0, 80)}`);
    return { file, body: body! };
  });
}

describe("README", () => {
  const blocks = readmeBlocks();
  it("shows every example file", () => {
    expect(blocks.map((b) => b.file).sort()).toEqual([
      "test/readme/borrowed-client.example.ts",
      "test/readme/quickstart.example.ts",
    ]);
  });

  for (const { file, body } of blocks) {
    it(`shows ${file} as it is`, () => {
      expect(body.trimEnd()).toBe(readFileSync(new URL(file, packageRoot), "utf8").trimEnd());
    });
  }
});

await describeWithRedis("README examples", () => {
  it("quickstart: save, get, search and export with a ttl", async () => {
    const prefix = uniquePrefix("readme-quickstart");
    try {
      const result = await quickstart(REDIS_URL, prefix);
      expect(result).toMatchObject({ matches: 1, exported: 1, found: { subject: "Billing question" } });
    } finally {
      await deleteKeys(prefix);
    }
  });

  it("a borrowed client stays open after close()", async () => {
    const prefix = uniquePrefix("readme-borrowed");
    try {
      expect(await withExistingClient(REDIS_URL, prefix)).toEqual({ pruned: 0, stillWorks: "PONG" });
    } finally {
      await deleteKeys(prefix);
    }
  });
});
