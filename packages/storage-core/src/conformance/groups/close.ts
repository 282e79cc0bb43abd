import { describe, expect } from "vitest";
import { collect, expectStorageError } from "../assertions.js";
import type { SuiteContext } from "../context.js";
import { externalRecordingCall, randomVconUuid } from "../fixtures.js";

export function closeGroup(suite: SuiteContext): void {
  const group = "close";
  describe(group, () => {
    suite.test(group, "close resolves, a second close resolves too, and closed is true", async ({ open }) => {
      const storage = await open();
      expect(storage.closed).toBe(false);
      await storage.close();
      await storage.close();
      expect(storage.closed).toBe(true);
    });

    suite.test(group, "every operation after close rejects with CLOSED", async ({ open }) => {
      const storage = await open();
      const uuid = randomVconUuid();
      await storage.save(externalRecordingCall(uuid));
      await storage.close();
      const calls: Record<string, () => unknown> = {
        save: () => storage.save(externalRecordingCall(randomVconUuid())),
        get: () => storage.get(uuid),
        delete: () => storage.delete(uuid),
        exists: () => storage.exists(uuid),
        saveMany: () => storage.saveMany([externalRecordingCall(randomVconUuid())]),
        search: () => storage.search({}),
        export: () => collect(storage.export()),
      };
      for (const [operation, call] of Object.entries(calls)) {
        const error = await expectStorageError(call, "CLOSED");
        expect(error.retryable, operation).toBe(false);
      }
    });

    suite.test(group, "close waits for the saves in flight, which succeed", async ({ open }) => {
      const storage = await open();
      const documents = Array.from({ length: 16 }, () => externalRecordingCall(randomVconUuid()));
      const settled: string[] = [];
      const saves = documents.map((document) =>
        storage.save(document).then(
          () => settled.push("saved"),
          (error: unknown) => settled.push(`failed: ${(error as Error).message}`),
        ),
      );
      await storage.close();
      settled.push("closed");
      await Promise.all(saves);
      expect(settled).toStrictEqual([...documents.map(() => "saved"), "closed"]);
    });

    suite.test(group, "a storage opened after another one closed works", async ({ open }) => {
      const first = await open();
      await first.close();
      const second = await open();
      const document = externalRecordingCall(randomVconUuid());
      await second.save(document);
      expect(await second.get(document.uuid)).toStrictEqual(document);
    });
  });
}
