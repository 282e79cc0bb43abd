import { describe, expect, it } from "vitest";
import { normalizeUuid, requireUuid } from "../src/index.js";

const CANONICAL = "0190f1c2-8a3b-7cde-9f01-23456789abcd";

describe("uuid normalisation", () => {
  it("accepts canonical, upper case, braced and unhyphenated spellings, giving one canonical form", () => {
    for (const spelling of [
      CANONICAL,
      CANONICAL.toUpperCase(),
      `{${CANONICAL}}`,
      `{${CANONICAL.toUpperCase()}}`,
      CANONICAL.replaceAll("-", ""),
      ` ${CANONICAL} `,
    ]) {
      expect(normalizeUuid(spelling), spelling).toBe(CANONICAL);
    }
  });

  it("accepts any version (v4, v7, v8)", () => {
    expect(normalizeUuid("550e8400-e29b-41d4-a716-446655440000")).toBe(
      "550e8400-e29b-41d4-a716-446655440000",
    );
    expect(normalizeUuid("019f15a6-a752-826f-b9a2-279e0d16bc46")).toBe(
      "019f15a6-a752-826f-b9a2-279e0d16bc46",
    );
  });

  it("returns null for what is not a uuid", () => {
    for (const value of [
      "",
      "not-a-uuid",
      `{${CANONICAL}`,
      `${CANONICAL}}`,
      `${CANONICAL}0`,
      "0190f1c2-8a3b-7cde-9f01-23456789abcg",
      `urn:uuid:${CANONICAL}`,
      "x".repeat(10_000),
      42,
      null,
      undefined,
      { uuid: CANONICAL },
    ]) {
      expect(normalizeUuid(value), String(value).slice(0, 40)).toBeNull();
    }
  });

  it("requireUuid throws VALIDATION naming the path, without echoing huge input", () => {
    expect(requireUuid(CANONICAL.toUpperCase())).toBe(CANONICAL);
    try {
      requireUuid("y".repeat(5000), "options.uuid");
      expect.fail("should throw");
    } catch (error) {
      expect(error).toMatchObject({ code: "VALIDATION", issues: [{ path: "options.uuid" }] });
      expect((error as Error).message.length).toBeLessThan(200);
    }
  });
});
