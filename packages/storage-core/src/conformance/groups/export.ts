import { describe, expect } from "vitest";
import type { Vcon } from "../../types.js";
import { collect, expectStorageError, uuidOfItem } from "../assertions.js";
import type { SuiteContext } from "../context.js";
import { externalRecordingCall, iso, randomInstantMs, randomVconUuid } from "../fixtures.js";

/** Saves `offsets.length` documents at `at + offset` ms; returns them in (created_at, uuid) order. */
async function saveAt(
  storage: { save(v: Vcon): Promise<unknown> },
  at: number,
  offsets: number[],
): Promise<Vcon[]> {
  const documents = offsets.map((offset) =>
    externalRecordingCall(randomVconUuid(), { createdAt: iso(at + offset) }),
  );
  for (const document of documents) await storage.save(document);
  return documents.sort(
    (a, b) => Date.parse(a.created_at!) - Date.parse(b.created_at!) || (a.uuid < b.uuid ? -1 : 1),
  );
}

function ours(exported: unknown[], documents: Vcon[]): unknown[] {
  const uuids = new Set(documents.map((d) => d.uuid));
  return exported.filter((item) => uuids.has(uuidOfItem(item as Vcon)));
}

export function exportGroup(suite: SuiteContext): void {
  const group = "export";
  describe(group, () => {
    const spec = { requires: "export" } as const;

    suite.test(
      group,
      "exports every document of a time range, whole, in (created_at, uuid) order",
      async ({ open }) => {
        const storage = await open();
        const at = randomInstantMs();
        const documents = await saveAt(storage, at, [3, 0, 3, 1, 0, 7]);
        const exported = await collect(storage.export({ since: new Date(at), until: new Date(at + 8) }));
        expect(ours(exported, documents)).toStrictEqual(documents);
        // Whatever else the range holds is in order too.
        const keys = exported.map((d) => [Date.parse((d as Vcon).created_at ?? ""), uuidOfItem(d)] as const);
        for (let i = 1; i < keys.length; i++) {
          const [prev, next] = [keys[i - 1]!, keys[i]!];
          expect(prev[0] < next[0] || (prev[0] === next[0] && prev[1] < next[1]), "strictly ordered").toBe(
            true,
          );
        }
      },
      spec,
    );

    suite.test(
      group,
      "since is inclusive and until exclusive",
      async ({ open }) => {
        const storage = await open();
        const at = randomInstantMs();
        const documents = await saveAt(storage, at, [0, 1, 2]);
        const exported = await collect(storage.export({ since: iso(at + 1), until: iso(at + 2) }));
        expect(ours(exported, documents)).toStrictEqual([documents[1]]);
      },
      spec,
    );

    suite.test(
      group,
      "every batch size yields the same documents",
      async ({ open }) => {
        const storage = await open();
        const at = randomInstantMs();
        const documents = await saveAt(storage, at, [0, 1, 1, 2, 3, 4, 5]);
        for (const batchSize of [1, 2, 3, 1000]) {
          const exported = await collect(
            storage.export({ since: new Date(at), until: new Date(at + 6), batchSize }),
          );
          expect(ours(exported, documents), `batchSize ${batchSize}`).toStrictEqual(documents);
        }
      },
      spec,
    );

    suite.test(
      group,
      "stopping an export early releases it; the storage keeps working",
      async ({ open }) => {
        const storage = await open();
        const at = randomInstantMs();
        await saveAt(storage, at, [0, 1, 2, 3]);
        for await (const _ of storage.export({ since: new Date(at), until: new Date(at + 4), batchSize: 1 }))
          break;
        const next = externalRecordingCall(randomVconUuid());
        await storage.save(next);
        expect(await storage.get(next.uuid)).toStrictEqual(next);
      },
      spec,
    );

    suite.test(
      group,
      "invalid export options are rejected with VALIDATION",
      async ({ open }) => {
        const storage = await open();
        for (const options of [{ since: "not a date" }, { batchSize: 0 }, { batchSize: 2.5 }]) {
          await expectStorageError(() => collect(storage.export(options as never)), "VALIDATION");
        }
      },
      spec,
    );

    suite.test(
      group,
      "an export in progress ends with CLOSED when the storage closes",
      async ({ open }) => {
        const storage = await open();
        const at = randomInstantMs();
        await saveAt(storage, at, [0, 1, 2, 3, 4]);
        const iterator = storage
          .export({ since: new Date(at), until: new Date(at + 5), batchSize: 1 })
          [Symbol.asyncIterator]();
        const first = await iterator.next();
        expect(first.done).toBe(false);
        await storage.close();
        await expectStorageError(async () => {
          // Reads on until the export notices; it must not end quietly as if complete.
          for (let step = 0; step < 10; step++) {
            const result = await iterator.next();
            if (result.done) throw new Error("the export ended as if complete after close()");
          }
        }, "CLOSED");
      },
      spec,
    );

    suite.test(
      group,
      "export rejects with NOT_SUPPORTED when the capability is not declared",
      async ({ open }) => {
        const storage = await open();
        await expectStorageError(() => collect(storage.export()), "NOT_SUPPORTED");
      },
      { requiresMissing: "export" },
    );
  });
}
