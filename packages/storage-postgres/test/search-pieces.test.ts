import type { Vcon, VconStorage } from "@vcon/storage-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tableName } from "../src/sql/identifiers.js";
import { MAX_PIECES, PROBE_ROWS, piecesOf, probedPattern } from "../src/sql/search.js";
import {
  numberedUuid,
  pgliteBackend,
  type SearchBackend,
  type Sql,
  serverBackend,
} from "./search-backends.js";

/**
 * Issue 19: a substring filter with a common word in it ("customer 4711", on a table where every party
 * is a customer) probes the trigram index with its rare pieces only, and still answers exactly as the
 * whole value does: pieces found in the wrong order, apart or inside a longer number do not match.
 */
/** More than the probe reads (PROBE_ROWS), so a search for the last ones goes through gathering. */
const LOADED = 2 * PROBE_ROWS;

function vcon(i: number, name: string, subject: string, text: string): Vcon {
  return {
    vcon: "0.0.1",
    uuid: numberedUuid(i),
    created_at: new Date(Date.parse("2024-01-01T00:00:00Z") + i * 60_000).toISOString(),
    subject,
    parties: [{ name, tel: `+1555${String(i).padStart(7, "0")}` }],
    dialog: [{ type: "text", start: "2024-01-01T00:00:00Z", parties: [0], body: text }],
  };
}

/** Every party a customer, every subject a case, every text a call; the tricky ones come last. */
const loaded: Vcon[] = Array.from({ length: LOADED }, (_, k) =>
  vcon(k + 1, `Customer ${k + 1}`, `Case ${k + 1}`, `Call number ${k + 1}`),
);
const TRICKY = {
  exact: vcon(9001, "Customer 4711", "Case 4711 reopened", "Call number 4711 about a refund"),
  inside: vcon(9002, "Key customer 4711 (VIP)", "Old case 47110", "Recall number 4711"),
  reversed: vcon(9003, "4711 Customer", "4711 case", "4711 number call"),
  apart: vcon(9004, "Customer 12 4711", "Case 1 4711", "Call number 1 4711"),
  longer: vcon(9005, "Customer 14711", "Case 14711", "Call number 14711"),
};

function describePieces(engine: string, open: () => Promise<SearchBackend>) {
  describe(`${engine}: substring filters probe the index with their rare pieces`, () => {
    let sql: Sql;
    let storage: VconStorage;
    let close: () => Promise<void>;
    const table = tableName("public", "vcons");
    const probed = async (filter: "name" | "subject" | "text", value: string) => {
      const statement = probedPattern(table, filter, value);
      const [row] = await sql(statement.text, statement.values);
      return row!.pattern;
    };

    beforeAll(async () => {
      ({ sql, storage, close } = await open());
      await storage.saveMany([...loaded, ...Object.values(TRICKY)]);
    }, 120_000);
    afterAll(() => close?.());

    it("a common word is left out of the probe: only the rare pieces are looked up", async () => {
      expect(await probed("name", "customer 4711")).toBe("%4711%");
      expect(await probed("subject", "case 4711 reopened")).toBe("%4711%reopened%");
      expect(await probed("text", "number 4711 about")).toBe("%4711%about%");
    });

    it("pieces that are all rare are all looked up, in order", async () => {
      expect(await probed("name", "vip) 4711 key")).toBe("%vip%4711%key%");
    });

    it("with every piece common, or the value one piece, the whole value is looked up", async () => {
      expect(await probed("name", "customer 1")).toBe("%customer 1%");
      expect(await probed("text", "call number")).toBe("%call number%");
      expect(await probed("name", "4711")).toBe("%4711%");
      expect(await probed("subject", "c%se_\\")).toBe("%c\\%se\\_\\\\%");
    });

    it("answers as the whole value does: the pieces apart, reversed or inside a longer word do not match", async () => {
      const found = async (query: { name?: string; subject?: string; text?: string }) =>
        (await storage.search({ ...query, limit: 20 })).items.map((item) => item.uuid);
      expect(await found({ name: "CUSTOMER 4711" })).toEqual([TRICKY.exact.uuid, TRICKY.inside.uuid]);
      expect(await found({ subject: "case 4711" })).toEqual([TRICKY.exact.uuid, TRICKY.inside.uuid]);
      expect(await found({ text: "number 4711" })).toEqual([TRICKY.exact.uuid, TRICKY.inside.uuid]);
      expect(await found({ name: "customer 4711", text: "refund" })).toEqual([TRICKY.exact.uuid]);
    });
  });
}

describe("piecesOf", () => {
  it("splits at what is not a letter or a digit and keeps runs of three or more", () => {
    expect(piecesOf("customer 4711")).toEqual(["customer", "4711"]);
    expect(piecesOf("#c4711x")).toEqual(["c4711x"]);
    expect(piecesOf("is on4711x")).toEqual(["on4711x"]);
    expect(piecesOf("müller-lüdenscheidt")).toEqual(["müller", "lüdenscheidt"]);
  });
  it(`weighs at most ${MAX_PIECES} pieces: the longest, in their order`, () => {
    const words = ["one", "three", "seventeen", "four", "eleven", "two", "twelve", "five", "nineteen", "six"];
    // Eight fit: of the three-letter pieces only the first, "one", is kept.
    expect(piecesOf(words.join(" "))).toEqual(words.filter((word) => word !== "two" && word !== "six"));
  });
  it("gives nothing when the value is one piece, all of it", () => {
    expect(piecesOf("customer")).toEqual([]);
    expect(piecesOf("ab")).toEqual([]);
  });
});

describePieces("PostgreSQL server", () => serverBackend("search_pieces"));
describePieces("PGlite", pgliteBackend);
