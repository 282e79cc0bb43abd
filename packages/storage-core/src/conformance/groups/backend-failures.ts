/**
 * Failures inside the backend, through the `failWrites` / `restoreWrites` hook of the options: the
 * backend itself refuses writes of one uuid (a SQL trigger, say). These tests prove what the
 * input-side injection of the saveMany group cannot: that an adapter propagates a backend's refusal
 * instead of acknowledging a lost write, and that a chunk is committed as one unit by the backend, so a
 * row refused mid-chunk takes the rows written before it back out. Skipped, with the reason, without
 * the hook.
 */
import { describe, expect } from "vitest";
import { prepareVcon } from "../../document.js";
import { isStorageError } from "../../errors.js";
import type { Vcon } from "../../types.js";
import type { SuiteContext } from "../context.js";
import {
  emailThread,
  externalRecordingCall,
  randomVconUuid,
  searchableVcon,
  uniqueTel,
} from "../fixtures.js";

const SWALLOWED =
  "resolved although the backend refused the write: the write is lost but acknowledged. Await every " +
  "statement and let the backend's error propagate (core turns it into a StorageError). (Or the " +
  "failWrites hook does not make the backend refuse the write: check it on its own.)";

/** Runs `action`, which must reject; returns what it rejected with. */
async function rejection(action: () => Promise<unknown>, what: string): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  return expect.fail(`${what} ${SWALLOWED}`);
}

export function backendFailuresGroup(suite: SuiteContext): void {
  const group = "backend failures";
  describe(group, () => {
    suite.test(
      group,
      "save rejects when the backend refuses the write; a refused update keeps the stored version",
      async ({ open, failWrites, restoreWrites }) => {
        const storage = await open();
        const fresh = externalRecordingCall(randomVconUuid());
        const stored = externalRecordingCall(randomVconUuid());
        await storage.save(stored);
        await failWrites(fresh.uuid);
        await failWrites(stored.uuid);
        const error = await rejection(() => storage.save(fresh), "save of a new vCon");
        expect(isStorageError(error), "the rejection is a StorageError").toBe(true);
        expect(await storage.get(fresh.uuid), "a refused new vCon must not be readable").toBeNull();
        await rejection(() => storage.save(emailThread(stored.uuid)), "save of an update");
        expect(
          await storage.get(stored.uuid),
          "a refused update must leave the stored version whole: replace in one transaction, never delete first and insert after",
        ).toStrictEqual(stored);
        await restoreWrites();
        await storage.save(fresh);
        expect(await storage.get(fresh.uuid), "after restoreWrites the same save works").toStrictEqual(fresh);
      },
    );

    suite.test(
      group,
      "the adapter's own save rejects when the backend refuses the write",
      async ({ openAdapter, failWrites }) => {
        const adapter = await openAdapter();
        const document = externalRecordingCall(randomVconUuid());
        await failWrites(document.uuid);
        await rejection(async () => adapter.save(prepareVcon(document)), "adapter.save()");
        expect(await adapter.get(document.uuid)).toBeNull();
      },
    );

    suite.test(
      group,
      "a chunk lands whole or not at all when the backend refuses a write mid-chunk",
      async ({ open, failWrites, restoreWrites }) => {
        const storage = await open();
        const tel = uniqueTel();
        const stored = [0, 1].map(() => searchableVcon(randomVconUuid(), { tel, extra: { version: 1 } }));
        for (const document of stored) await storage.save(document);
        const update = (document: Vcon) => ({ ...document, version: 2 });
        const fresh = [0, 1, 2].map(() => externalRecordingCall(randomVconUuid()));
        const refused = externalRecordingCall(randomVconUuid());
        const chunk = [fresh[0]!, update(stored[0]!), fresh[1]!, refused, fresh[2]!, update(stored[1]!)];
        await failWrites(refused.uuid);
        const error = await rejection(() => storage.saveMany(chunk), "saveMany");
        expect(isStorageError(error), "the rejection is a StorageError").toBe(true);
        // One chunk unless the adapter's maxBatchSize is smaller: chunks before the refused one landed.
        const landed = (error as { landed?: ReadonlyArray<{ start: number; end: number }> }).landed ?? [];
        const inLanded = (index: number) => landed.some(({ start, end }) => index >= start && index < end);
        for (const [index, document] of chunk.entries()) {
          const before = stored.find((old) => old.uuid === document.uuid) ?? null;
          const read = await storage.get(document.uuid);
          if (inLanded(index)) {
            expect(read, "a chunk reported as landed (BatchError.landed) is stored").toStrictEqual(document);
          } else {
            expect(
              read,
              before === null
                ? "a document of a chunk the backend refused is stored: commit a chunk in ONE transaction " +
                    "(BEGIN ... COMMIT, MULTI/EXEC, a single statement), not row by row after preparing it"
                : "an update in a chunk the backend refused landed: commit a chunk in ONE transaction",
            ).toStrictEqual(before);
          }
        }
        await restoreWrites();
        await storage.saveMany(chunk);
        for (const document of [...fresh, refused]) {
          expect(await storage.get(document.uuid), "after restoreWrites the chunk lands").toStrictEqual(
            document,
          );
        }
      },
      { requires: "saveMany" },
    );

    suite.test(
      group,
      "the adapter's own saveMany rejects when the backend refuses a write",
      async ({ openAdapter, failWrites, probe }) => {
        const adapter = await openAdapter();
        // Core never sends more than maxBatchSize; the refused one is in the middle when there is one.
        const count = Math.min(3, probe.maxBatchSize ?? 3);
        const documents = Array.from({ length: count }, () => externalRecordingCall(randomVconUuid()));
        await failWrites(documents[Math.floor(count / 2)]!.uuid);
        await rejection(
          async () => adapter.saveMany!(documents.map((document) => prepareVcon(document))),
          "adapter.saveMany()",
        );
        for (const document of documents) expect(await adapter.get(document.uuid)).toBeNull();
      },
      { requires: "saveMany" },
    );
  });
}
