import { describe, expect } from "vitest";
import { collect, expectStorageError } from "../assertions.js";
import type { SuiteContext } from "../context.js";
import {
  encryptedVcon,
  externalRecordingCall,
  iso,
  randomInstantMs,
  randomVconUuid,
  signedVcon,
  uniqueTel,
} from "../fixtures.js";

export function deleteGroup(suite: SuiteContext): void {
  const group = "delete";
  describe(group, () => {
    const spec = { requires: "delete" } as const;

    suite.test(
      group,
      "delete removes the document: get then resolves to null",
      async ({ open }) => {
        const storage = await open();
        const uuid = randomVconUuid();
        const neighbour = randomVconUuid();
        await storage.save(externalRecordingCall(uuid));
        await storage.save(externalRecordingCall(neighbour));
        expect(await storage.delete(uuid)).toBe(true);
        expect(await storage.get(uuid)).toBeNull();
        if (storage.supports("exists")) expect(await storage.exists(uuid)).toBe(false);
        expect(await storage.get(neighbour), "only the named document goes").toStrictEqual(
          externalRecordingCall(neighbour),
        );
      },
      spec,
    );

    suite.test(
      group,
      "delete of a missing uuid (or a second delete) resolves to false",
      async ({ open }) => {
        const storage = await open();
        const uuid = randomVconUuid();
        expect(await storage.delete(uuid)).toBe(false);
        await storage.save(externalRecordingCall(uuid));
        expect(await storage.delete(uuid)).toBe(true);
        expect(await storage.delete(uuid)).toBe(false);
      },
      spec,
    );

    suite.test(
      group,
      "delete accepts upper case and braces",
      async ({ open }) => {
        const storage = await open();
        const uuid = randomVconUuid();
        await storage.save(externalRecordingCall(uuid));
        expect(await storage.delete(`{${uuid.toUpperCase()}}`)).toBe(true);
        expect(await storage.get(uuid)).toBeNull();
      },
      spec,
    );

    suite.test(
      group,
      "a deleted uuid can be saved again",
      async ({ open }) => {
        const storage = await open();
        const uuid = randomVconUuid();
        await storage.save(externalRecordingCall(uuid));
        await storage.delete(uuid);
        const again = { ...externalRecordingCall(uuid), subject: "second life" };
        await storage.save(again);
        expect(await storage.get(uuid)).toStrictEqual(again);
      },
      spec,
    );

    suite.test(
      group,
      "a deleted document is gone from search and export",
      async ({ open }) => {
        const storage = await open();
        const uuid = randomVconUuid();
        const tel = uniqueTel();
        const at = randomInstantMs();
        await storage.save(externalRecordingCall(uuid, { tel, createdAt: iso(at) }));
        await storage.delete(uuid);
        if (storage.supports("search")) expect((await storage.search({ tel })).items).toStrictEqual([]);
        if (storage.supports("export")) {
          const exported = await collect(storage.export({ since: new Date(at), until: new Date(at + 1) }));
          expect(exported.filter((document) => (document as { uuid?: string }).uuid === uuid)).toStrictEqual(
            [],
          );
        }
      },
      spec,
    );

    suite.test(
      group,
      "delete rejects with NOT_SUPPORTED when the capability is not declared",
      async ({ open }) => {
        const storage = await open();
        await expectStorageError(() => storage.delete(randomVconUuid()), "NOT_SUPPORTED");
      },
      { requiresMissing: "delete" },
    );
  });
}

export function existsGroup(suite: SuiteContext): void {
  const group = "exists";
  describe(group, () => {
    suite.test(
      group,
      "exists is true for a stored uuid (in any spelling) and false for a missing one",
      async ({ open }) => {
        const storage = await open();
        const uuid = randomVconUuid();
        expect(await storage.exists(uuid)).toBe(false);
        await storage.save(externalRecordingCall(uuid));
        expect(await storage.exists(uuid)).toBe(true);
        expect(await storage.exists(uuid.toUpperCase())).toBe(true);
        expect(await storage.exists(`{${uuid}}`)).toBe(true);
        expect(await storage.exists(randomVconUuid())).toBe(false);
      },
      { requires: "exists" },
    );

    suite.test(
      group,
      "exists is true for signed (JWS) and encrypted (JWE) vCons",
      async ({ open }) => {
        const storage = await open();
        for (const [form, document] of [
          ["signed (JWS)", signedVcon(randomVconUuid())],
          ["encrypted (JWE)", encryptedVcon(randomVconUuid())],
        ] as const) {
          const { uuid } = await storage.save(document);
          expect(
            await storage.exists(uuid),
            `exists is false for a stored ${form} vCon: look the uuid up where save keeps it (the row's id, ` +
              "PreparedVcon.uuid), not in the document's top-level uuid field, which these forms do not have",
          ).toBe(true);
        }
      },
      { requires: "exists" },
    );

    suite.test(
      group,
      "exists rejects a malformed uuid with VALIDATION",
      async ({ open }) => {
        const storage = await open();
        await expectStorageError(() => storage.exists("nope"), "VALIDATION");
      },
      { requires: "exists" },
    );

    suite.test(
      group,
      "exists rejects with NOT_SUPPORTED when the capability is not declared",
      async ({ open }) => {
        const storage = await open();
        await expectStorageError(() => storage.exists(randomVconUuid()), "NOT_SUPPORTED");
      },
      { requiresMissing: "exists" },
    );
  });
}
