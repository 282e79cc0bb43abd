import { describe, expect, it } from "vitest";
import { matchesQuery, normalizeSearchQuery, type StorageAdapter } from "../src/adapter-kit.js";
import {
  fromAdapter,
  matchesTags,
  prepareVcon,
  searchTextOf,
  tagsOf,
  tagTerms,
  vconSearchText,
  vconTags,
} from "../src/index.js";

const UUID = "018f3c9e-7b1a-8c2d-9e3f-0123456789ab";

const conversation = {
  uuid: UUID,
  subject: "Refund request",
  parties: [{ name: "Alice Smith", tel: "+15551230001" }, { mailto: "agent@example.com" }],
  dialog: [
    { type: "text", body: "I would like a refund for my order", parties: [0, 1] },
    { type: "text", body: "c2VjcmV0", encoding: "base64url" },
    { type: "recording", body: "not text at all", encoding: "none" },
    { type: "text", body: "Of course, one moment", encoding: "none" },
  ],
  analysis: [
    { type: "summary", body: "Customer asked for a refund", encoding: "none" },
    {
      type: "sentiment",
      encoding: "json",
      body: JSON.stringify({ label: "calm", scores: [{ note: "polite" }] }),
    },
    { type: "blob", encoding: "base64url", body: "aGlkZGVu" },
  ],
  attachments: [
    {
      purpose: "tags",
      encoding: "json",
      body: JSON.stringify(["customer:acme", "vip", "topic:refund:partial"]),
    },
    { type: "tags", body: ["region:eu", "vip"] },
    { type: "transcript", body: ["not:a-tag"] },
  ],
};

describe("vconSearchText", () => {
  it("collects subject, party names, unencoded text dialogs and analysis text, each as its own piece", () => {
    expect(vconSearchText(conversation)).toEqual([
      "Refund request",
      "Alice Smith",
      "I would like a refund for my order",
      "Of course, one moment",
      "Customer asked for a refund",
      "calm",
      "polite",
    ]);
  });

  it("reads a signed vCon's payload and gives an encrypted one nothing", () => {
    const payload = Buffer.from(JSON.stringify(conversation)).toString("base64url");
    const signed = { payload, signatures: [{ header: { uuid: UUID }, signature: "x" }] };
    expect(vconSearchText(signed)).toEqual(vconSearchText(conversation));
    expect(vconSearchText({ ciphertext: "abc", unprotected: { uuid: UUID } })).toEqual([]);
  });

  it("is computed once per prepared vCon", () => {
    const prepared = prepareVcon(conversation);
    expect(searchTextOf(prepared)).toBe(searchTextOf(prepared));
    expect(tagsOf(prepared)).toEqual(["customer:acme", "vip", "topic:refund:partial", "region:eu"]);
  });
});

describe("tags", () => {
  it("reads json-encoded and inline bodies of the tags attachment, by purpose or legacy type", () => {
    expect(vconTags(conversation)).toEqual(["customer:acme", "vip", "topic:refund:partial", "region:eu"]);
    expect(
      vconTags({ uuid: UUID, attachments: [{ purpose: "tags", encoding: "json", body: "not json" }] }),
    ).toEqual([]);
  });

  it("matches key:value exactly and a bare key against any value of that key", () => {
    const tags = vconTags(conversation);
    expect(tagTerms(tags)).toEqual(
      expect.arrayContaining(["customer", "customer:acme", "topic", "topic:refund:partial", "vip"]),
    );
    expect(matchesTags(tags, ["customer:acme"])).toBe(true);
    expect(matchesTags(tags, ["customer"])).toBe(true);
    expect(matchesTags(tags, ["topic:refund"])).toBe(false);
    expect(matchesTags(tags, ["customer:Acme"])).toBe(false);
    expect(matchesTags(tags, ["vip", "region:eu"])).toBe(true);
    expect(matchesTags(tags, ["vip", "region:us"])).toBe(false);
  });
});

describe("text and tag filters", () => {
  it("normalises text to lower case and refuses fewer than 3 characters", () => {
    expect(normalizeSearchQuery({ text: "ReFund" }).text).toBe("refund");
    expect(() => normalizeSearchQuery({ text: "ab" })).toThrow(/at least 3 characters/);
    expect(normalizeSearchQuery({ tag: ["a", "a", "b:c"] }).tags).toEqual(["a", "b:c"]);
    expect(normalizeSearchQuery({ tag: "vip" }).tags).toEqual(["vip"]);
    expect(() => normalizeSearchQuery({ tag: [] })).toThrow(/query\.tag|Invalid search query/);
  });

  it("matchesQuery applies the reference rules", () => {
    const prepared = prepareVcon(conversation);
    const record = {
      uuid: prepared.uuid,
      createdAtMs: 0,
      subject: prepared.subject,
      parties: prepared.parties,
      text: searchTextOf(prepared),
      tags: tagsOf(prepared),
    };
    const match = (query: Parameters<typeof normalizeSearchQuery>[0]) =>
      matchesQuery(record, normalizeSearchQuery(query));
    expect(match({ text: "A REFUND" })).toBe(true);
    expect(match({ text: "polite" })).toBe(true);
    expect(match({ text: "secret" })).toBe(false);
    expect(match({ text: "not text" })).toBe(false);
    // A match never spans two pieces.
    expect(match({ text: "request alice" })).toBe(false);
    expect(match({ text: "refund", tag: "vip", tel: "+15551230001" })).toBe(true);
    expect(match({ text: "refund", tag: "vip", tel: "+15551230002" })).toBe(false);
  });

  it("an adapter that does not declare the search features answers NOT_SUPPORTED for them", async () => {
    const adapter: StorageAdapter = {
      name: "plain",
      capabilities: { search: true },
      save: async () => {},
      get: async () => null,
      close: async () => {},
      search: async () => ({ items: [], nextCursor: null }),
    };
    const storage = fromAdapter(adapter);
    await expect(storage.search({ text: "refund" })).rejects.toMatchObject({ code: "NOT_SUPPORTED" });
    await expect(storage.search({ tag: "vip" })).rejects.toMatchObject({ code: "NOT_SUPPORTED" });
    await expect(storage.search({ tel: "+1" })).resolves.toEqual({ items: [], nextCursor: null });
  });

  it("declaring a search feature without search is refused", () => {
    const adapter: StorageAdapter = {
      name: "odd",
      capabilities: { searchText: true },
      save: async () => {},
      get: async () => null,
      close: async () => {},
    };
    expect(() => fromAdapter(adapter)).toThrow(/declares searchText but does not implement search/);
  });
});
