import { describe, expect, it } from "vitest";
import { z } from "zod";
import { optionsParser } from "../src/adapter-kit.js";
import { isStorageError } from "../src/index.js";

const schema = z.object({ label: z.string(), size: z.number().int().min(1).default(4) }).strict();

/** A schema that counts how often it validates, to see which calls reach it. */
function countingParser() {
  let checks = 0;
  const counted = z.preprocess((value) => {
    checks++;
    return value;
  }, schema);
  return { parser: optionsParser({ name: "counted", options: counted }), checks: () => checks };
}

describe("optionsParser", () => {
  it("parses options it has not seen, with defaults, and refuses bad ones with VALIDATION", () => {
    const parser = optionsParser({ name: "sized", options: schema });
    expect(parser.parse({ label: "x" })).toStrictEqual({ label: "x", size: 4 });
    let caught: unknown;
    try {
      parser.parse({ label: "x", size: 0 });
    } catch (error) {
      caught = error;
    }
    expect(isStorageError(caught, "VALIDATION")).toBe(true);
    expect(isStorageError(caught, "VALIDATION") && caught.issues[0]?.path).toBe("options.size");
  });

  it("takes trusted options as they are, without checking them again", () => {
    const { parser, checks } = countingParser();
    const parsed = parser.parse({ label: "x" });
    expect(checks()).toBe(1);
    expect(parser.parse(parser.trust(parsed))).toBe(parsed);
    expect(checks()).toBe(1);
  });

  it("checks a copy of trusted options (trust is by identity) and another parser's trusted ones", () => {
    const { parser, checks } = countingParser();
    const other = countingParser();
    const parsed = parser.trust(parser.parse({ label: "x" }));
    parser.parse({ ...parsed });
    expect(checks()).toBe(2);
    other.parser.parse(parsed);
    expect(other.checks()).toBe(1);
  });
});
