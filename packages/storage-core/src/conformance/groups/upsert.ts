import { describe, expect } from "vitest";
import type { Vcon } from "../../types.js";
import { collect } from "../assertions.js";
import type { SuiteContext } from "../context.js";
import {
  emailThread,
  externalRecordingCall,
  iso,
  randomInstantMs,
  randomVconUuid,
  searchableVcon,
  uniqueTel,
} from "../fixtures.js";

export function upsertGroup(suite: SuiteContext): void {
  const group = "upsert and copies";
  describe(group, () => {
    suite.test(group, "saving the same uuid again replaces the document, not merges it", async ({ open }) => {
      const storage = await open();
      const uuid = randomVconUuid();
      const first: Vcon = { ...externalRecordingCall(uuid), only_in_first: true };
      const second = emailThread(uuid);
      await storage.save(first);
      await storage.save(second);
      expect(await storage.get(uuid)).toStrictEqual(second);
    });

    suite.test(
      group,
      "an upsert leaves one document: search finds it once",
      async ({ open }) => {
        const storage = await open();
        const uuid = randomVconUuid();
        const tel = uniqueTel();
        for (const version of [1, 2, 3])
          await storage.save(searchableVcon(uuid, { tel, extra: { version } }));
        const page = await storage.search({ tel });
        expect(page.items).toStrictEqual([searchableVcon(uuid, { tel, extra: { version: 3 } })]);
      },
      { requires: "search" },
    );

    suite.test(
      group,
      "an upsert leaves one document: export yields it once",
      async ({ open }) => {
        const storage = await open();
        const uuid = randomVconUuid();
        const at = randomInstantMs();
        const createdAt = iso(at);
        for (const version of [1, 2])
          await storage.save(searchableVcon(uuid, { createdAt, extra: { version } }));
        const exported = await collect(storage.export({ since: new Date(at), until: new Date(at + 1) }));
        const ours = exported.filter((document) => (document as Vcon).uuid === uuid);
        expect(ours).toStrictEqual([searchableVcon(uuid, { createdAt, extra: { version: 2 } })]);
      },
      { requires: "export" },
    );

    suite.test(
      group,
      "an update without created_at keeps the stored sort time",
      async ({ open }) => {
        const storage = await open();
        const uuid = randomVconUuid();
        const tel = uniqueTel();
        const at = randomInstantMs();
        await storage.save(searchableVcon(uuid, { tel, createdAt: iso(at) }));
        const update = searchableVcon(uuid, { tel, extra: { updated: true } });
        await storage.save(update);
        const page = await storage.search({ tel, since: new Date(at), until: new Date(at + 1) });
        expect(page.items).toStrictEqual([update]);
      },
      { requires: "search" },
    );

    suite.test(group, "mutating a document returned by get changes nothing stored", async ({ open }) => {
      const storage = await open();
      const uuid = randomVconUuid();
      const original = externalRecordingCall(uuid);
      await storage.save(structuredClone(original));
      const read = (await storage.get(uuid)) as Vcon;
      read.subject = "changed";
      read.parties![0]!.name = "changed";
      read.dialog!.pop();
      (read as Record<string, unknown>).added = 1;
      expect(await storage.get(uuid)).toStrictEqual(original);
    });

    suite.test(group, "mutating the saved object after save changes nothing stored", async ({ open }) => {
      const storage = await open();
      const uuid = randomVconUuid();
      const original = externalRecordingCall(uuid);
      const given = structuredClone(original);
      await storage.save(given);
      given.subject = "changed";
      given.parties![1]!.tel = "+10000000000";
      given.dialog = [];
      expect(await storage.get(uuid)).toStrictEqual(original);
    });

    suite.test(
      group,
      "mutating search results changes nothing stored",
      async ({ open }) => {
        const storage = await open();
        const uuid = randomVconUuid();
        const tel = uniqueTel();
        const original = externalRecordingCall(uuid, { tel });
        await storage.save(original);
        const [found] = (await storage.search({ tel })).items as Vcon[];
        expect(found).toStrictEqual(original);
        found!.subject = "changed";
        found!.parties!.length = 0;
        expect(await storage.get(uuid)).toStrictEqual(original);
        expect((await storage.search({ tel })).items).toStrictEqual([original]);
      },
      { requires: "search" },
    );

    suite.test(
      group,
      "mutating exported documents changes nothing stored",
      async ({ open }) => {
        const storage = await open();
        const uuid = randomVconUuid();
        const at = randomInstantMs();
        const original = externalRecordingCall(uuid, { createdAt: iso(at) });
        await storage.save(original);
        for await (const document of storage.export({ since: new Date(at), until: new Date(at + 1) })) {
          (document as Vcon).subject = "changed";
          (document as Vcon).parties = [];
        }
        expect(await storage.get(uuid)).toStrictEqual(original);
      },
      { requires: "export" },
    );
  });
}
