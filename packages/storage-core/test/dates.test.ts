/** One rule for dates without an offset: UTC, whatever the machine's time zone. */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { withExplicitUtc } from "../src/adapter-kit.js";
import { parseVconDate } from "../src/index.js";

const UTC_MS = Date.UTC(2024, 2, 16, 16, 9, 20, 701);

describe("parseVconDate", () => {
  it("reads offset-less ISO date-times as UTC, truncating past milliseconds", () => {
    expect(parseVconDate("2024-03-16T16:09:20.701906")).toBe(UTC_MS);
    expect(parseVconDate("2024-03-16 16:09:20.701")).toBe(UTC_MS);
    expect(parseVconDate("2024-03-16t16:09:20.701")).toBe(UTC_MS);
    expect(parseVconDate("2024-03-16T16:09")).toBe(Date.UTC(2024, 2, 16, 16, 9));
  });

  it("keeps explicit offsets and date-only forms as Date.parse reads them", () => {
    expect(parseVconDate("2024-03-16T16:09:20.701Z")).toBe(UTC_MS);
    expect(parseVconDate("2024-03-16T12:09:20.701-04:00")).toBe(UTC_MS);
    expect(parseVconDate("2024-03-16 16:09:20.701906+00")).toBe(UTC_MS);
    expect(parseVconDate("2024-03-16")).toBe(Date.UTC(2024, 2, 16));
  });

  it("is null for what is not a date", () => {
    for (const bad of ["tuesday", "", "2024-13-45T99:99:99", 5 as never, null as never]) {
      expect(parseVconDate(bad)).toBeNull();
    }
  });

  it("created_at, since/until, export ranges and cursors all follow it under TZ=America/New_York", () => {
    const probe = fileURLToPath(new URL("./dates/utc-probe.ts", import.meta.url));
    const output = execFileSync(process.execPath, ["--import", "tsx", probe], {
      env: { ...process.env, TZ: "America/New_York" },
      encoding: "utf8",
    });
    const seen = JSON.parse(output);
    // The child really runs in New York time (EDT on that date), or the test proves nothing.
    expect(seen.offset).toBe(240);
    expect(seen).toStrictEqual({
      offset: 240,
      parsed: UTC_MS,
      createdAtMs: UTC_MS,
      since: UTC_MS,
      until: Date.UTC(2024, 2, 16, 16, 9, 21),
      exportSince: UTC_MS,
      matchesWindow: true,
      afterCursor: true,
    });
  });
});

describe("withExplicitUtc", () => {
  it("writes out the UTC the rule implies and keeps every digit", () => {
    expect(withExplicitUtc("2024-03-16T16:09:20.701906")).toBe("2024-03-16T16:09:20.701906Z");
    expect(withExplicitUtc("2024-03-16 16:09")).toBe("2024-03-16T16:09Z");
    expect(withExplicitUtc("2024-03-16")).toBe("2024-03-16T00:00:00Z");
    expect(withExplicitUtc("2024-03-16T16:09:20+02:00")).toBe("2024-03-16T16:09:20+02:00");
    expect(withExplicitUtc("not a date")).toBe("not a date");
  });
});
