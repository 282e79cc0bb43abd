import fc from "fast-check";
import { describe, expect } from "vitest";
import { isStorageError } from "../../errors.js";
import type { VconDocument } from "../../types.js";
import { expectSameJson } from "../assertions.js";
import type { SuiteContext } from "../context.js";
import { randomVconUuid, uniqueToken } from "../fixtures.js";

/** Strings over every code point (well-formed UTF-16: lone surrogates have their own test). */
const text = fc.string({ unit: "binary", maxLength: 40 });
const json = fc.jsonValue({ maxDepth: 4, stringUnit: "binary" });

const party = fc.record(
  { tel: text, mailto: text, name: text, role: text, extra: json },
  { requiredKeys: [] },
);

const dialog = fc.record(
  {
    type: fc.constantFrom("recording", "text", "transfer", "incomplete", "other"),
    start: fc
      .date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) })
      .map((d) => d.toISOString()),
    duration: fc
      .double({ noNaN: true, noDefaultInfinity: true, min: 0, max: 1e6 })
      .map((n) => (Object.is(n, -0) ? 0 : n)),
    parties: fc.array(fc.nat(5), { maxLength: 3 }),
    body: text,
    encoding: fc.constantFrom("base64url", "json", "none"),
    extra: json,
  },
  { requiredKeys: ["type"] },
);

/** An arbitrary unsigned vCon: draft fields plus arbitrary unknown fields. */
const vconBody = fc.record(
  {
    created_at: fc
      .date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) })
      .map((d) => d.toISOString()),
    subject: text,
    parties: fc.array(party, { maxLength: 4 }),
    dialog: fc.array(dialog, { maxLength: 3 }),
    unknown: fc.dictionary(fc.string({ unit: "binary", maxLength: 12 }), json, { maxKeys: 4 }),
  },
  { requiredKeys: [] },
);

function containsNul(value: unknown): boolean {
  return JSON.stringify(value).includes("\\u0000");
}

export function propertyGroup(suite: SuiteContext): void {
  const group = "property-based";
  describe(group, () => {
    suite.test(
      group,
      "arbitrary JSON vCons round-trip",
      async ({ open, options }) => {
        const storage = await open();
        await fc.assert(
          fc.asyncProperty(vconBody, async (body) => {
            const uuid = randomVconUuid();
            const document = { ...body, uuid } as VconDocument;
            try {
              await storage.save(document);
            } catch (error) {
              // The one case a backend may refuse: \u0000, which some databases cannot hold.
              expect(containsNul(document) && isStorageError(error, "VALIDATION"), String(error)).toBe(true);
              expect(await storage.get(uuid)).toBeNull();
              return;
            }
            expectSameJson(await storage.get(uuid), document);
          }),
          { numRuns: options.propertyRuns },
        );
      },
      { timeoutMs: 120_000 },
    );

    suite.test(
      group,
      "arbitrary tel, name and subject values are found by search, literally",
      async ({ open, options }) => {
        const storage = await open();
        // Already lower case: databases fold the case of exotic letters differently, which is not under test here.
        const value = fc
          .string({ unit: "binary", minLength: 1, maxLength: 24 })
          .filter((s) => !s.includes("\u0000") && s.toLowerCase() === s);
        await fc.assert(
          fc.asyncProperty(value, value, async (telPart, namePart) => {
            const tel = `${telPart}${uniqueToken()}`;
            const uuid = randomVconUuid();
            const document = { uuid, subject: `<${namePart}>`, parties: [{ tel, name: `[${namePart}]` }] };
            await storage.save(document);
            expectSameJson((await storage.search({ tel })).items, [document], "tel");
            expectSameJson((await storage.search({ tel, name: namePart })).items, [document], "name");
            expectSameJson((await storage.search({ tel, subject: namePart })).items, [document], "subject");
          }),
          { numRuns: Math.max(1, Math.ceil(options.propertyRuns / 2)) },
        );
      },
      { requires: "search", timeoutMs: 120_000 },
    );
  });
}
