/**
 * The search-trap helpers of `@vcon/storage-core/conformance`: the reference passes them, and adapters
 * with the mistakes they target fail them.
 */
import { describe, expect, it } from "vitest";
import { expectNoMatchAcrossValues, expectReferenceAnswers } from "../src/conformance/index.js";
import { fromAdapter } from "../src/index.js";
import { COLLATIONS, CollationAdapter } from "./broken/adapters.js";
import { ReferenceAdapter, type StoredRecord } from "./broken/reference-adapter.js";

/** Keeps names and text pieces as one string each, joined without a separator. */
class JoinedValuesAdapter extends ReferenceAdapter {
  protected override toRecord(vcon: Parameters<ReferenceAdapter["toRecord"]>[0]): StoredRecord {
    const record = super.toRecord(vcon);
    const name = record.parties.map((party) => party.name ?? "").join("");
    return {
      ...record,
      parties: [...record.parties, { name }],
      text: [...(record.text ?? []), (record.text ?? []).join("")],
    };
  }
}

describe("search-trap helpers", () => {
  it("the reference answers every trap and never matches across values", async () => {
    await expectReferenceAnswers(fromAdapter(new ReferenceAdapter()));
    await expectNoMatchAcrossValues(fromAdapter(new ReferenceAdapter()));
  });

  it("fail an adapter whose collation pads spaces or replaces lone surrogates", async () => {
    for (const collation of ["pad-space", "lone-surrogates-to-fffd", "accent-insensitive"]) {
      const storage = fromAdapter(new CollationAdapter(COLLATIONS[collation]!));
      await expect(expectReferenceAnswers(storage), collation).rejects.toThrow(/reference/);
    }
  });

  it("fail an adapter whose joined values let a match span two of them", async () => {
    await expect(expectNoMatchAcrossValues(fromAdapter(new JoinedValuesAdapter()))).rejects.toThrow();
  });
});
