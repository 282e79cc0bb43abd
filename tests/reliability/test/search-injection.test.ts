/**
 * Search values made of SQL, LIKE wildcards, backslashes and JSON path syntax are matched literally:
 * each query below would match other documents (or all of them) if it were interpreted.
 */
import { randomUUID } from "node:crypto";
import type { SearchQuery, VconStorage } from "@vcon/storage-core";
import { beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, useStorage } from "../src/backends.js";

const HOSTILE = [
  "' or 1=1 --",
  "'; drop table vcons; --",
  '" or ""="',
  "%",
  "_",
  "\\",
  "\\%",
  "%%_%",
  "$.parties[*]",
  '$.** ? (@ like_regex ".*")',
  '{"tel":"+15550000001"}',
  '[{"tel":"+15550000001"}]',
  "*",
  ".*",
  "\u00e9",
];

interface Planted {
  uuid: string;
  subject: string;
  tel: string;
  name: string;
  mailto: string;
}

function planted(subject: string, tel: string, name: string, mailto: string): Planted {
  return { uuid: randomUUID(), subject, tel, name, mailto };
}

async function uuidsOf(storage: VconStorage, query: SearchQuery): Promise<string[]> {
  const page = await storage.search({ ...query, limit: 1000 });
  return page.items.map((d) => String(d.uuid)).sort();
}

describe.each(BACKENDS)("search values are literal on $label", (backend) => {
  const storage = useStorage(backend);
  // Ordinary documents that any interpreted wildcard or injected condition would match.
  const ordinary = [
    planted("100x surexthing ab", "+15550000001", "Plain Person", "plain@example.com"),
    planted("nothing special", "+15550000002", "Other Name", "other@example.com"),
  ];
  // Documents whose fields literally hold the hostile characters.
  const literal = [
    planted("100% sure_thing a\\b", "' or 1=1 --", "Name with %_\\ chars", "pct%@example.com"),
    planted("json $.parties[*] here", "$.parties[*]", 'O\'Brien "quoted"', "under_score@example.com"),
  ];

  beforeAll(async () => {
    for (const p of [...ordinary, ...literal]) {
      await storage().save({
        uuid: p.uuid,
        created_at: "2025-01-01T00:00:00Z",
        subject: p.subject,
        parties: [{ tel: p.tel, name: p.name, mailto: p.mailto }],
      });
    }
  });

  const [pct, jsonish] = literal as [Planted, Planted];

  it("finds nothing for hostile values no document holds", async () => {
    for (const value of HOSTILE.filter((v) => v !== pct.tel && v !== jsonish.tel)) {
      expect(await uuidsOf(storage(), { tel: value }), `tel ${value}`).toEqual([]);
      expect(await uuidsOf(storage(), { mailto: value }), `mailto ${value}`).toEqual([]);
    }
    for (const value of ["' or 1=1 --", "\\%", "%%_%", '" or ""="', "$.**", "**"]) {
      expect(await uuidsOf(storage(), { subject: value }), `subject ${value}`).toEqual([]);
      expect(await uuidsOf(storage(), { name: value }), `name ${value}`).toEqual([]);
    }
  });

  it("matches % and _ in substrings literally, never as wildcards", async () => {
    expect(await uuidsOf(storage(), { subject: "0% s" })).toEqual([pct.uuid]);
    expect(await uuidsOf(storage(), { subject: "e_t" })).toEqual([pct.uuid]);
    expect(await uuidsOf(storage(), { subject: "%" })).toEqual([pct.uuid]);
    expect(await uuidsOf(storage(), { subject: "_" })).toEqual([pct.uuid]);
    expect(await uuidsOf(storage(), { name: "%_\\" })).toEqual([pct.uuid]);
    expect(await uuidsOf(storage(), { mailto: "pct%@example.com" })).toEqual([pct.uuid]);
    expect(await uuidsOf(storage(), { mailto: "under_score@example.com" })).toEqual([jsonish.uuid]);
    expect(await uuidsOf(storage(), { mailto: "under%score@example.com" })).toEqual([]);
  });

  it("matches backslashes literally (a\\b is not ab)", async () => {
    expect(await uuidsOf(storage(), { subject: "a\\b" })).toEqual([pct.uuid]);
    expect(await uuidsOf(storage(), { subject: "\\" })).toEqual([pct.uuid]);
  });

  it("matches SQL and JSON path text stored in fields exactly", async () => {
    expect(await uuidsOf(storage(), { tel: "' or 1=1 --" })).toEqual([pct.uuid]);
    expect(await uuidsOf(storage(), { tel: "$.parties[*]" })).toEqual([jsonish.uuid]);
    expect(await uuidsOf(storage(), { subject: "$.parties[*]" })).toEqual([jsonish.uuid]);
    expect(await uuidsOf(storage(), { name: 'o\'brien "quoted"' })).toEqual([jsonish.uuid]);
  });

  it("leaves every document in place after the hostile queries", async () => {
    for (const p of [...ordinary, ...literal]) expect(await storage().exists(p.uuid)).toBe(true);
  });
});
