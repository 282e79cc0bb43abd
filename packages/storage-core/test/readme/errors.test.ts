import { describe, expect, it } from "vitest";
import { fromAdapter } from "../../src/index.js";
import { saveWithAdvice } from "./errors.example.js";
import { MapAdapter } from "./map-adapter.example.js";

describe("README errors example", () => {
  it("advises on each outcome", async () => {
    const storage = fromAdapter(new MapAdapter());
    expect(await saveWithAdvice(storage, { uuid: "0190f1c2-8a3b-7cde-9f01-23456789abcd" })).toBe(
      "saved 0190f1c2-8a3b-7cde-9f01-23456789abcd",
    );
    expect(await saveWithAdvice(storage, "{}")).toMatch(/^fix the document: .*\$\.uuid/);
    await storage.close();
    expect(await saveWithAdvice(storage, "{}")).toBe("storage closed: open a new one");
  });
});
