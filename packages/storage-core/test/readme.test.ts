/** The README's examples run and do what the README says; scripts/check-docs.mjs keeps each block equal to its file. */
import { describe, expect, it } from "vitest";
import { main } from "./readme/map-adapter.example.js";
import { forDraft, forStorage } from "./readme/validate.example.js";

describe("README", () => {
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
