import { describe, expect } from "vitest";
import { expectStorageError } from "../assertions.js";
import type { SuiteContext } from "../context.js";
import {
  externalRecordingCall,
  randomVconUuid,
  SAMPLE_SHAPES,
  searchableVcon,
  uniqueTel,
} from "../fixtures.js";

export function basicsGroup(suite: SuiteContext): void {
  const group = "basics";
  describe(group, () => {
    for (const [shape, build] of Object.entries(SAMPLE_SHAPES)) {
      suite.test(group, `round-trips the ${shape} with deep equality`, async ({ open }) => {
        const storage = await open();
        const uuid = randomVconUuid();
        const document = build(uuid);
        expect(await storage.save(document)).toStrictEqual({ uuid });
        expect(await storage.get(uuid)).toStrictEqual(document);
      });
    }

    suite.test(group, "get of a missing uuid resolves to null", async ({ open }) => {
      const storage = await open();
      const result = await storage.get(randomVconUuid());
      expect(result).toBeNull();
    });

    suite.test(group, "get of a malformed uuid rejects with VALIDATION", async ({ open }) => {
      const storage = await open();
      await expectStorageError(() => storage.get("not-a-uuid"), "VALIDATION");
      await expectStorageError(() => storage.get(""), "VALIDATION");
    });

    suite.test(
      group,
      "stores under the canonical uuid: upper case and braces find the same vCon",
      async ({ open }) => {
        const storage = await open();
        const uuid = randomVconUuid();
        const document = externalRecordingCall(uuid.toUpperCase());
        expect(await storage.save(document)).toStrictEqual({ uuid });
        expect(await storage.get(uuid)).toStrictEqual(document);
        expect(await storage.get(uuid.toUpperCase())).toStrictEqual(document);
        expect(await storage.get(`{${uuid}}`)).toStrictEqual(document);
      },
    );

    suite.test(group, "accepts JSON text and reads back the same document", async ({ open }) => {
      const storage = await open();
      const uuid = randomVconUuid();
      const document = externalRecordingCall(uuid);
      expect(await storage.save(JSON.stringify(document, null, 2))).toStrictEqual({ uuid });
      expect(await storage.get(uuid)).toStrictEqual(document);
    });

    suite.test(group, "keeps unknown fields at every level", async ({ open }) => {
      const storage = await open();
      const uuid = randomVconUuid();
      const document = {
        ...externalRecordingCall(uuid),
        x_custom: { nested: [1, "two", { three: null }], flag: false },
        meta: { tags: ["a", "b"] },
      };
      document.parties![0]!.x_party_note = "kept";
      document.dialog![0]!.x_dialog_extra = { any: ["thing", 1.5e-7, -42] };
      await storage.save(document);
      expect(await storage.get(uuid)).toStrictEqual(document);
    });

    suite.test(group, "a vCon without created_at is stored without one being added", async ({ open }) => {
      const storage = await open();
      const uuid = randomVconUuid();
      const document = searchableVcon(uuid, { tel: uniqueTel() });
      await storage.save(document);
      expect(await storage.get(uuid)).toStrictEqual(document);
    });

    suite.test(group, "JSON edge values round-trip: numbers, empty containers, escapes", async ({ open }) => {
      const storage = await open();
      const uuid = randomVconUuid();
      const document = {
        uuid,
        numbers: [0, 1, -1, 0.1, 1e21, 1.7976931348623157e308, 5e-324, 2 ** 53 + 2, -123.456],
        empty: { object: {}, array: [], string: "" },
        escapes: 'quote " backslash \\ slash / newline \n tab \t control \u0001 \u001f',
        nulls: [null, { value: null }],
        booleans: [true, false],
      };
      await storage.save(document);
      expect(await storage.get(uuid)).toStrictEqual(document);
    });

    suite.test(group, "two reads return distinct objects", async ({ open }) => {
      const storage = await open();
      const uuid = randomVconUuid();
      await storage.save(externalRecordingCall(uuid));
      const first = await storage.get(uuid);
      const second = await storage.get(uuid);
      expect(first).toStrictEqual(second);
      expect(first).not.toBe(second);
    });
  });
}
