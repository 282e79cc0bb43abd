import { describe, expect, it } from "vitest";
import {
  compareRecords,
  cursorOf,
  decodeCursor,
  encodeCursor,
  type IndexedRecord,
  matchesQuery,
  normalizeExportOptions,
  normalizeSearchQuery,
} from "../src/adapter-kit.js";

const UUID = "0190f1c2-8a3b-7cde-9f01-23456789abcd";

function record(overrides: Partial<IndexedRecord> = {}): IndexedRecord {
  return {
    uuid: UUID,
    createdAtMs: Date.parse("2024-01-01T00:00:00.000Z"),
    subject: "Billing Question",
    parties: [{ tel: "+15551234", mailto: "Ann@Example.com", name: "Ann Lee" }],
    ...overrides,
  };
}

describe("normalizeSearchQuery", () => {
  it("lower-cases mailto, name and subject, keeps tel, defaults the limit", () => {
    expect(
      normalizeSearchQuery({ tel: "+1ABC", mailto: "A@B.C", name: "Ann", subject: "BILL" }),
    ).toStrictEqual({
      tel: "+1ABC",
      mailto: "a@b.c",
      name: "ann",
      subject: "bill",
      limit: 100,
      after: null,
    });
  });

  it("parses dates given as text or Date", () => {
    const query = normalizeSearchQuery({ since: "2024-01-01T00:00:00Z", until: new Date(0) });
    expect(query.since?.toISOString()).toBe("2024-01-01T00:00:00.000Z");
    expect(query.until?.getTime()).toBe(0);
  });

  it("reports every bad field by path", () => {
    try {
      normalizeSearchQuery({ tel: "", limit: 0, since: "soon", cursor: "zzz", bogus: 1 } as never);
      expect.fail("should throw");
    } catch (error) {
      const paths = (error as { issues: Array<{ path: string }> }).issues.map((issue) => issue.path).sort();
      expect(paths).toStrictEqual(["query.bogus", "query.cursor", "query.limit", "query.since", "query.tel"]);
    }
  });

  it("accepts limit 1 and 1000 and rejects 1001, fractions and over-long filters", () => {
    expect(normalizeSearchQuery({ limit: 1 }).limit).toBe(1);
    expect(normalizeSearchQuery({ limit: 1000 }).limit).toBe(1000);
    for (const query of [{ limit: 1001 }, { limit: 2.5 }, { name: "x".repeat(1025) }]) {
      expect(() => normalizeSearchQuery(query)).toThrow(expect.objectContaining({ code: "VALIDATION" }));
    }
  });
});

describe("cursors", () => {
  it("round-trip a position and are opaque base64url", () => {
    const position = { createdAt: "2024-01-01T00:00:00.000Z", uuid: UUID };
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toStrictEqual(position);
    expect(normalizeSearchQuery({ cursor }).after).toStrictEqual(position);
  });

  it("decode forged or damaged cursors to null", () => {
    const forged = [
      "",
      "not base64 !",
      Buffer.from("[1,2]").toString("base64url"),
      Buffer.from('["2024-01-01T00:00:00Z","not-a-uuid"]').toString("base64url"),
      Buffer.from('["never",""]').toString("base64url"),
      "A".repeat(600),
    ];
    for (const cursor of forged) expect(decodeCursor(cursor), cursor.slice(0, 20)).toBeNull();
  });

  it("cursorOf a record continues right after it", () => {
    const first = record();
    const next = record({ uuid: "0190f1c2-8a3b-7cde-9f01-23456789abce" });
    const after = decodeCursor(cursorOf(first))!;
    expect(matchesQuery(first, { after })).toBe(false);
    expect(matchesQuery(next, { after })).toBe(true);
  });
});

describe("matchesQuery: the reference search semantics", () => {
  it("tel is exact", () => {
    expect(matchesQuery(record(), { tel: "+15551234" })).toBe(true);
    expect(matchesQuery(record(), { tel: "+1555123" })).toBe(false);
    expect(matchesQuery(record(), { tel: "15551234" })).toBe(false);
  });

  it("mailto is exact ignoring case; name and subject are case-insensitive substrings", () => {
    expect(matchesQuery(record(), { mailto: "ann@example.com" })).toBe(true);
    expect(matchesQuery(record(), { mailto: "nn@example.com" })).toBe(false);
    expect(matchesQuery(record(), { name: "n le" })).toBe(true);
    expect(matchesQuery(record(), { subject: "billing q" })).toBe(true);
    expect(matchesQuery(record({ subject: null }), { subject: "b" })).toBe(false);
  });

  it("treats %, _ and backslashes literally", () => {
    const odd = record({ parties: [{ name: "100% _sure_ \\o/" }] });
    expect(matchesQuery(odd, { name: "% _s" })).toBe(true);
    expect(matchesQuery(record(), { name: "%" })).toBe(false);
    expect(matchesQuery(record(), { name: "_" })).toBe(false);
  });

  it("since is inclusive, until exclusive", () => {
    const at = new Date(record().createdAtMs);
    expect(matchesQuery(record(), { since: at })).toBe(true);
    expect(matchesQuery(record(), { until: at })).toBe(false);
    expect(matchesQuery(record(), { until: new Date(at.getTime() + 1) })).toBe(true);
  });

  it("orders by created_at, then uuid", () => {
    const a = record({ createdAtMs: 1, uuid: "b".repeat(8) });
    const b = record({ createdAtMs: 1, uuid: "c".repeat(8) });
    const c = record({ createdAtMs: 0, uuid: "z".repeat(8) });
    expect([a, b, c].sort(compareRecords)).toStrictEqual([c, a, b]);
  });
});

describe("normalizeExportOptions", () => {
  it("defaults the batch size and passes the signal", () => {
    const signal = new AbortController().signal;
    expect(normalizeExportOptions({}, signal)).toStrictEqual({ batchSize: 500, signal });
  });

  it("rejects bad batch sizes and dates", () => {
    const signal = new AbortController().signal;
    for (const options of [{ batchSize: 0 }, { batchSize: 10_001 }, { since: "x" }]) {
      expect(() => normalizeExportOptions(options, signal)).toThrow(
        expect.objectContaining({ code: "VALIDATION" }),
      );
    }
  });
});
