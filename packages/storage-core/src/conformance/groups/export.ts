/**
 * export: (created_at, uuid) order, ranges, batches, abort and CLOSED, and what an export promises while
 * the data changes under it. THE PROMISE: every document present when export() starts, and neither
 * deleted nor given another created_at during it, is yielded exactly once, in (created_at, uuid) order,
 * however many others are inserted, updated in place, moved or deleted meanwhile; every yielded
 * document is one whole stored version; documents saved, moved or deleted during the export may or may
 * not be yielded. Keyset paging on (created_at, uuid), or one snapshot, keeps it; OFFSET paging does not.
 * A vCon stored without created_at sorts at the time it was first stored (the backend's clock), and an
 * export without since/until yields every document.
 */
import { describe, expect } from "vitest";
import type { StorageAdapter } from "../../adapter.js";
import { prepareVcon } from "../../document.js";
import { normalizeExportOptions } from "../../query.js";
import type { Vcon } from "../../types.js";
import { collect, expectStorageError, uuidOfItem } from "../assertions.js";
import { type SuiteContext, within } from "../context.js";
import { externalRecordingCall, iso, randomInstantMs, randomVconUuid, searchableVcon } from "../fixtures.js";

const CONSISTENT_EXPORT =
  "page by the (created_at, uuid) keyset (WHERE (created_at, uuid) > the last one yielded) or read one " +
  "snapshot, never by OFFSET, which skips or repeats rows when others are inserted or deleted";
const ABORT_WAIT_MS = 5_000;
const ABORT_HINT =
  "stop at options.signal (aborted when the storage closes or the consumer stops): check signal.aborted " +
  "before each round trip and pass the signal to the driver where it takes one";

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

/** Saves `count` documents at `at`, `at + 1`, ... straight through a bare adapter. */
async function saveRawAt(adapter: StorageAdapter, at: number, count: number): Promise<void> {
  for (let offset = 0; offset < count; offset++) {
    await adapter.save(prepareVcon(externalRecordingCall(randomVconUuid(), { createdAt: iso(at + offset) })));
  }
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
      "export with no range yields every document once, including those stored without created_at",
      async ({ open }) => {
        const storage = await open();
        const dated = externalRecordingCall(randomVconUuid(), { createdAt: iso(randomInstantMs()) });
        const undated = searchableVcon(randomVconUuid(), { tel: "+15550000000" });
        await storage.save(dated);
        await storage.save(undated);
        // The whole store streams by; only ours are kept (a shared backend may hold many others).
        const mine = new Set([dated.uuid, undated.uuid]);
        const exported: unknown[] = [];
        for await (const item of storage.export()) if (mine.has(uuidOfItem(item))) exported.push(item);
        for (const document of [dated, undated]) {
          const copies = exported.filter((item) => uuidOfItem(item as Vcon) === document.uuid);
          expect(
            copies,
            `export() without since/until must yield every stored document exactly once${
              document === undated
                ? ", those without created_at too (they sort at the time they were first stored)"
                : ""
            }`,
          ).toStrictEqual([document]);
        }
      },
      spec,
    );

    suite.test(
      group,
      "a vCon without created_at is exported at the time it was first stored, and stays there",
      async ({ open }) => {
        const storage = await open();
        const document = searchableVcon(randomVconUuid(), { tel: "+15550000001" });
        const started = Date.now();
        await storage.save(document);
        const update = { ...document, subject: "updated, still without created_at" };
        await storage.save(update);
        // A minute either side: the backend's clock may be a server's, not this process's.
        const window = { since: new Date(started - 60_000), until: new Date(Date.now() + 60_000) };
        const exported = await collect(storage.export(window));
        expect(
          exported.filter((item) => uuidOfItem(item) === document.uuid),
          "a vCon saved without created_at sorts at the time it was first stored (keep that time on updates without one)",
        ).toStrictEqual([update]);
      },
      spec,
    );

    suite.test(
      group,
      "every document present when an export starts and not deleted during it is yielded once, while others change",
      async ({ open }) => {
        const storage = await open();
        const at = randomInstantMs();
        const make = (offset: number, version = 0) =>
          ({ ...externalRecordingCall(randomVconUuid(), { createdAt: iso(at + offset) }), version }) as Vcon;
        const stable = [0, 0, 1, 2, 3, 3, 4, 5, 8, 9].map((offset) => make(offset));
        const updated = [0, 1, 2, 3, 4, 5, 6, 7].map((offset) => make(offset));
        const moved = [1, 4, 6, 8].map((offset) => make(offset));
        const deleted = storage.supports("delete") ? [0, 2, 4, 6, 8].map((offset) => make(offset)) : [];
        for (const document of [...stable, ...updated, ...moved, ...deleted]) await storage.save(document);
        const versions = new Map<string, unknown[]>();
        const remember = (document: Vcon) => {
          versions.set(document.uuid, [...(versions.get(document.uuid) ?? []), document]);
          return document;
        };
        for (const document of [...stable, ...updated, ...moved, ...deleted]) remember(document);
        const seen: Vcon[] = [];
        let step = 0;
        for await (const item of storage.export({
          since: new Date(at),
          until: new Date(at + 10),
          batchSize: 2,
        })) {
          seen.push(item as Vcon);
          // After every document: update in place, move one across the range, delete one, insert one.
          const target = updated[step % updated.length]!;
          await storage.save(remember({ ...target, version: step + 1 }));
          const mover = moved[step % moved.length]!;
          const movedTo = (step * 7) % 10;
          await storage.save(remember({ ...mover, created_at: iso(at + movedTo), version: step + 1 }));
          if (step < deleted.length) await storage.delete(deleted[step]!.uuid);
          await storage.save(remember(make((step * 3) % 10, step + 1)));
          step++;
          if (step > 200) expect.fail(`the export did not end while documents changed: ${CONSISTENT_EXPORT}`);
        }
        const count = (uuid: string) => seen.filter((item) => item.uuid === uuid).length;
        for (const document of [...stable, ...updated]) {
          expect(
            count(document.uuid),
            `a document present when the export started (and not deleted) must be yielded exactly once: ${CONSISTENT_EXPORT}`,
          ).toBe(1);
        }
        for (const item of seen) {
          expect(
            versions.get(item.uuid) ?? [],
            "every yielded document is one whole stored version",
          ).toContainEqual(item);
        }
        const steady = new Set([...stable, ...updated].map((document) => document.uuid));
        const order = seen
          .filter((item) => steady.has(item.uuid))
          .map((item) => [Date.parse(item.created_at!), item.uuid] as const);
        for (let i = 1; i < order.length; i++) {
          const [prev, next] = [order[i - 1]!, order[i]!];
          expect(
            prev[0] < next[0] || (prev[0] === next[0] && prev[1] < next[1]),
            "still in (created_at, uuid) order",
          ).toBe(true);
        }
      },
      { ...spec, timeoutMs: 60_000 },
    );

    suite.test(
      group,
      "the adapter's export ends promptly when its signal is already aborted",
      async ({ openAdapter }) => {
        const adapter = await openAdapter();
        const at = randomInstantMs();
        await saveRawAt(adapter, at, 6);
        const controller = new AbortController();
        controller.abort();
        const options = normalizeExportOptions(
          { since: new Date(at), until: new Date(at + 6), batchSize: 2 },
          controller.signal,
        );
        const yielded = await within(
          collect(adapter.export!(options)).catch(() => []),
          ABORT_WAIT_MS,
          `export with an aborted signal did not end within ${ABORT_WAIT_MS / 1000} s: ${ABORT_HINT}`,
        );
        expect(
          yielded.length,
          `export with an aborted signal kept reading: ${ABORT_HINT}`,
        ).toBeLessThanOrEqual(2);
      },
      spec,
    );

    suite.test(
      group,
      "the adapter's export ends promptly when aborted while it waits on I/O",
      async ({ openAdapter }) => {
        const adapter = await openAdapter();
        const at = randomInstantMs();
        await saveRawAt(adapter, at, 6);
        const controller = new AbortController();
        const options = normalizeExportOptions(
          { since: new Date(at), until: new Date(at + 6), batchSize: 1 },
          controller.signal,
        );
        const iterator = adapter.export!(options)[Symbol.asyncIterator]();
        expect((await iterator.next()).done, "the export yields the first document").toBe(false);
        // Ask for the next batch, then abort while the adapter fetches it.
        const pending = iterator.next();
        controller.abort();
        const drain = async () => {
          let after = 0;
          try {
            let result = await pending;
            while (!result.done && after <= 6) {
              after++;
              result = await iterator.next();
            }
          } catch {
            // Ending with an error (an AbortError, say) is ending.
          }
          return after;
        };
        const after = await within(
          drain(),
          ABORT_WAIT_MS,
          `export did not end within ${ABORT_WAIT_MS / 1000} s after its signal was aborted: ${ABORT_HINT}`,
        );
        expect(after, `export kept yielding after its signal was aborted: ${ABORT_HINT}`).toBeLessThanOrEqual(
          1,
        );
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
