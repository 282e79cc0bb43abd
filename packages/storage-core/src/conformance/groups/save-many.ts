import { describe, expect } from "vitest";
import { type PreparedVcon, prepareVcon } from "../../document.js";
import type { VconDocument } from "../../types.js";
import { collect, expectStorageError, uuidOfItem } from "../assertions.js";
import type { SuiteContext, TestEnvironment } from "../context.js";
import {
  externalRecordingCall,
  iso,
  randomInstantMs,
  randomVconUuid,
  searchableVcon,
  uniqueTel,
} from "../fixtures.js";

/** A prepared vCon whose every field but `uuid` throws when read: a write failing mid-chunk. */
function failingPreparedVcon(uuid: string): PreparedVcon {
  const failing = {} as Record<string, unknown>;
  Object.defineProperty(failing, "uuid", { value: uuid, enumerable: true });
  for (const key of ["form", "document", "json", "bytes", "createdAt", "createdAtMs", "subject", "parties"]) {
    Object.defineProperty(failing, key, {
      enumerable: true,
      get() {
        throw new Error("conformance: injected write failure");
      },
    });
  }
  return failing as unknown as PreparedVcon;
}

/**
 * A chunk of fresh prepared vCons with a failing one in its middle, as big as core would send (up to 6,
 * under the adapter's maxBatchSize), and the healthy ones of it. Skips the test when a chunk has no middle.
 */
export function chunkFailingMidway({ probe, skip }: Pick<TestEnvironment, "probe" | "skip">): {
  chunk: PreparedVcon[];
  healthy: PreparedVcon[];
} {
  const size = Math.min(6, probe.maxBatchSize ?? 6);
  if (size < 2) skip(`maxBatchSize ${probe.maxBatchSize}: a chunk of one has no middle`);
  const fresh = () => prepareVcon(externalRecordingCall(randomVconUuid()));
  const before = Array.from({ length: Math.floor(size / 2) }, fresh);
  const after = Array.from({ length: size - before.length - 1 }, fresh);
  return {
    chunk: [...before, failingPreparedVcon(randomVconUuid()), ...after],
    healthy: [...before, ...after],
  };
}

/** Consecutive ranges of `size` (the last one shorter) over `length` items. */
function tiles(length: number, size: number): Array<{ start: number; end: number }> {
  const ranges = [];
  for (let start = 0; start < length; start += size)
    ranges.push({ start, end: Math.min(start + size, length) });
  return ranges;
}

export function saveManyGroup(suite: SuiteContext): void {
  const group = "saveMany";
  describe(group, () => {
    const spec = { requires: "saveMany" } as const;

    suite.test(
      group,
      "writes every document of a batch",
      async ({ open }) => {
        const storage = await open();
        const documents = Array.from({ length: 25 }, () =>
          externalRecordingCall(randomVconUuid(), { tel: uniqueTel() }),
        );
        const result = await storage.saveMany(documents);
        expect(result.saved).toBe(25);
        expect(await Promise.all(documents.map((d) => storage.get(d.uuid)))).toStrictEqual(documents);
      },
      spec,
    );

    suite.test(
      group,
      "a uuid given twice in one batch is stored once, last one wins",
      async ({ open }) => {
        const storage = await open();
        const uuid = randomVconUuid();
        const tel = uniqueTel();
        const first = searchableVcon(uuid, { tel, extra: { version: 1 } });
        const last = searchableVcon(uuid.toUpperCase(), { tel, extra: { version: 2 } });
        const other = searchableVcon(randomVconUuid(), { tel });
        const result = await storage.saveMany([first, other, last]);
        expect(result.saved).toBe(2);
        expect(await storage.get(uuid)).toStrictEqual(last);
        if (storage.supports("search")) expect((await storage.search({ tel })).items).toHaveLength(2);
      },
      spec,
    );

    suite.test(
      group,
      "upserts over stored documents",
      async ({ open }) => {
        const storage = await open();
        const uuid = randomVconUuid();
        await storage.save(externalRecordingCall(uuid));
        const replacement = searchableVcon(uuid, { tel: uniqueTel() });
        await storage.saveMany([replacement]);
        expect(await storage.get(uuid)).toStrictEqual(replacement);
      },
      spec,
    );

    suite.test(
      group,
      "one invalid document rejects the whole batch with VALIDATION, nothing written",
      async ({ open }) => {
        const storage = await open();
        const documents: unknown[] = Array.from({ length: 5 }, () => externalRecordingCall(randomVconUuid()));
        documents.splice(3, 0, { subject: "no uuid" });
        const error = await expectStorageError(
          () => storage.saveMany(documents as VconDocument[]),
          "VALIDATION",
        );
        expect(error.message).toContain("$[3]");
        for (const document of documents.filter((d) => (d as { uuid?: string }).uuid)) {
          expect(await storage.get((document as { uuid: string }).uuid)).toBeNull();
        }
      },
      spec,
    );

    suite.test(
      group,
      "chunkSize splits the batch into committed chunks",
      async ({ open, probe }) => {
        const storage = await open();
        const documents = Array.from({ length: 5 }, () => externalRecordingCall(randomVconUuid()));
        const result = await storage.saveMany(documents, { chunkSize: 2 });
        // Core caps chunkSize at the adapter's maxBatchSize (a Redis Cluster adapter declares 1). A
        // VconStorage factory hides it: then chunks of one size, 1 or 2, must tile the batch.
        const size = probe.bareAdapter ? Math.min(2, probe.maxBatchSize ?? 2) : (result.chunks[0]?.end ?? 0);
        expect([1, 2], "chunk size").toContain(size);
        expect(result.chunks).toStrictEqual(tiles(5, size));
        expect(await Promise.all(documents.map((d) => storage.get(d.uuid)))).toStrictEqual(documents);
      },
      spec,
    );

    suite.test(
      group,
      "an empty batch writes nothing and succeeds",
      async ({ open }) => {
        const storage = await open();
        expect(await storage.saveMany([])).toStrictEqual({ saved: 0, chunks: [] });
      },
      spec,
    );

    // The input-side fallback: one prepared vCon of the chunk throws when the adapter reads it. It proves
    // that nothing is committed when the adapter fails while handling a chunk, but an adapter that reads
    // the whole chunk before its first write passes it even when it commits row by row; the "backend
    // failures" group (with the failWrites hook) proves atomicity against a failure inside the backend.
    suite.test(
      group,
      "a chunk lands whole or not at all when a write fails mid-chunk",
      async ({ openAdapter, probe, skip }) => {
        const { chunk, healthy } = chunkFailingMidway({ probe, skip });
        const adapter = await openAdapter();
        await expect((async () => adapter.saveMany!(chunk))()).rejects.toThrow();
        for (const prepared of healthy) {
          expect(await adapter.get(prepared.uuid), "no document of a failed chunk is stored").toBeNull();
        }
        // The adapter is still usable after the failure.
        const survivor = externalRecordingCall(randomVconUuid());
        await adapter.saveMany!([prepareVcon(survivor)]);
        expect(await adapter.get(survivor.uuid)).toStrictEqual(survivor);
      },
      spec,
    );

    suite.test(
      group,
      "an update without created_at keeps the stored sort time",
      async ({ open }) => {
        const storage = await open();
        const tel = uniqueTel();
        const at = randomInstantMs();
        const stored = searchableVcon(randomVconUuid(), { tel, createdAt: iso(at) });
        await storage.saveMany([stored]);
        const update = searchableVcon(stored.uuid, { tel, extra: { updated: true } });
        const other = searchableVcon(randomVconUuid(), { tel, createdAt: iso(at + 5) });
        await storage.saveMany([update, other]);
        const hint =
          "saveMany of a vCon without created_at must keep the stored created_at, as save does " +
          "(COALESCE(new.created_at, stored.created_at, now()))";
        if (storage.supports("search")) {
          const page = await storage.search({ tel, since: new Date(at), until: new Date(at + 1) });
          expect(page.items, hint).toStrictEqual([update]);
        }
        if (storage.supports("export")) {
          const exported = await collect(storage.export({ since: new Date(at), until: new Date(at + 1) }));
          expect(
            exported.filter((document) => uuidOfItem(document) === stored.uuid),
            hint,
          ).toStrictEqual([update]);
        }
      },
      spec,
    );

    suite.test(
      group,
      "saveMany rejects with NOT_SUPPORTED when the capability is not declared",
      async ({ open }) => {
        const storage = await open();
        await expectStorageError(
          () => storage.saveMany([externalRecordingCall(randomVconUuid())]),
          "NOT_SUPPORTED",
        );
      },
      { requiresMissing: "saveMany" },
    );
  });
}
