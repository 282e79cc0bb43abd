/**
 * Arbitrary JSON vCons (any Unicode, \u0000 included, any JSON numbers, odd keys) round-trip through
 * PostgreSQL: read back equal to what JSON says was saved. PostgreSQL keeps the exact text, so even
 * \u0000 (which jsonb refuses) round-trips; no exception is allowed here.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BACKENDS, useStorage } from "../src/backends.js";

const text = fc.string({ unit: "binary", maxLength: 40 });
const json = fc.jsonValue({ maxDepth: 4, stringUnit: "binary" });

const arbitraryVcon = fc.record(
  {
    uuid: fc.uuid({ version: [4, 7, 8] }),
    vcon: fc.constant("0.3.0"),
    created_at: fc
      .date({
        min: new Date("1970-01-01T00:00:00Z"),
        max: new Date("2100-01-01T00:00:00Z"),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString()),
    subject: text,
    parties: fc.array(fc.record({ tel: text, name: text, mailto: text, extra: json }, { requiredKeys: [] }), {
      maxLength: 4,
    }),
    dialog: fc.array(fc.dictionary(text, json, { maxKeys: 4 }), { maxLength: 3 }),
    extension: fc.dictionary(text, json, { maxKeys: 6 }),
  },
  { requiredKeys: ["uuid"] },
);

describe.each(BACKENDS)("property: arbitrary vCons round-trip on $label", (backend) => {
  const storage = useStorage(backend);

  it("saves then reads back every generated vCon exactly", async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryVcon, fc.boolean(), async (vcon, asText) => {
        const input = asText ? JSON.stringify(vcon) : vcon;
        const expected = JSON.parse(JSON.stringify(vcon));
        await storage().save(input as never);
        expect(await storage().get(vcon.uuid)).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });
});
