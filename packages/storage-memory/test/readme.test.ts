/** The README's examples run and do what the README says; scripts/check-docs.mjs keeps each block equal to its file. */
import { describe, expect, it } from "vitest";
import { demo } from "./readme/usage.example.js";

describe("README", () => {
  it("the usage example finds the vCon it saved", async () => {
    expect(await demo()).toStrictEqual(["0190f1c2-8a3b-7cde-9f01-23456789abcd"]);
  });
});
