import { describe, expect } from "vitest";
import type { SuiteContext } from "../context.js";
import { externalRecordingCall, randomVconUuid, searchableVcon, uniqueTel } from "../fixtures.js";

const WRITERS = 64;

export function concurrencyGroup(suite: SuiteContext): void {
  const group = "concurrency";
  describe(group, () => {
    suite.test(
      group,
      `${WRITERS} concurrent saves of one uuid: none fails, exactly one body is stored`,
      async ({ open }) => {
        const storage = await open();
        const uuid = randomVconUuid();
        const tel = uniqueTel();
        const bodies = Array.from({ length: WRITERS }, (_, writer) =>
          searchableVcon(uuid, {
            tel,
            name: `writer ${writer}`,
            extra: { writer, padding: "x".repeat(writer * 16) },
          }),
        );
        const outcomes = await Promise.allSettled(bodies.map((body) => storage.save(body)));
        const failures = outcomes.filter((outcome) => outcome.status === "rejected");
        expect(failures, "every concurrent save succeeds").toStrictEqual([]);
        const stored = await storage.get(uuid);
        expect(bodies).toContainEqual(stored);
        if (storage.supports("search")) {
          expect((await storage.search({ tel })).items).toStrictEqual([stored]);
        }
      },
    );

    suite.test(group, "concurrent saves of different uuids all land", async ({ open }) => {
      const storage = await open();
      const documents = Array.from({ length: 48 }, () =>
        externalRecordingCall(randomVconUuid(), { tel: uniqueTel() }),
      );
      await Promise.all(documents.map((document) => storage.save(document)));
      const read = await Promise.all(documents.map((document) => storage.get(document.uuid)));
      expect(read).toStrictEqual(documents);
    });

    suite.test(group, "reads during concurrent writes see null or one whole version", async ({ open }) => {
      const storage = await open();
      const uuid = randomVconUuid();
      const versions = Array.from({ length: 16 }, (_, version) =>
        externalRecordingCall(uuid, { tel: `+1555000${String(version).padStart(4, "0")}` }),
      );
      const reads: Promise<unknown>[] = [];
      const writes = versions.map((version) => {
        reads.push(storage.get(uuid));
        return storage.save(version);
      });
      await Promise.all(writes);
      for (const read of await Promise.all(reads)) {
        if (read !== null) expect(versions).toContainEqual(read);
      }
    });
  });
}
