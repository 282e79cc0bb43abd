/**
 * The change log (capability `changes`): the transactional outbox a service replicates from. Every
 * committed write records one change per uuid it wrote, a failed write records none, and a change
 * carries the uuid's state as it is when read. A backend may be shared between tests, and recording
 * is durable, so each test turns recording on, drains what is there, and turns it off again at the end.
 * The suite expects no other writer on the backend while this group runs.
 */
import { describe, expect } from "vitest";
import type { StorageAdapter, StorageChange } from "../../adapter.js";
import { isStorageError } from "../../errors.js";
import type { VconStorage } from "../../storage.js";
import type { Vcon } from "../../types.js";
import { expectStorageError } from "../assertions.js";
import type { SuiteContext, TestEnvironment } from "../context.js";
import {
  emailThread,
  encryptedVcon,
  externalRecordingCall,
  randomVconUuid,
  searchableVcon,
  signedVcon,
  uniqueTel,
} from "../fixtures.js";
import { chunkFailingMidway } from "./save-many.js";

const WRITERS = 64;
/** The most the facade lets one read return: every test reads its whole log with it. */
const READ_ALL = 10_000;
/** How far a change's `recordedMs` may be from this process's clock (a database's clock may differ). */
const CLOCK_SLACK_MS = 10 * 60_000;

const CURRENT_STATE =
  "a change must carry the uuid's state when it is READ (join the change to the stored row at read time), " +
  "not the text its write stored";

/** The four methods, from a VconStorage or a bare adapter. */
type ChangeLog = Required<
  Pick<StorageAdapter, "recordChanges" | "readChanges" | "acknowledgeChanges" | "pendingChanges">
>;

function changeLogOf(target: VconStorage | StorageAdapter): ChangeLog {
  return {
    recordChanges: (on) => target.recordChanges!(on),
    readChanges: (limit) => target.readChanges!(limit),
    acknowledgeChanges: (ids) => target.acknowledgeChanges!(ids),
    pendingChanges: () => target.pendingChanges!(),
  };
}

/** Reads the whole log (after a drain the tests write far fewer than READ_ALL), checking each change's shape. */
async function readAll(log: ChangeLog): Promise<StorageChange[]> {
  const changes = await log.readChanges(READ_ALL);
  expect(Array.isArray(changes), "readChanges resolves to an array").toBe(true);
  for (const change of changes) {
    expect(typeof change.id, "a change's id is a string").toBe("string");
    expect(typeof change.uuid, "a change's uuid is a string").toBe("string");
    expect(change.json === null || typeof change.json === "string", "json is a string or null").toBe(true);
    expect(Number.isFinite(change.recordedMs), "recordedMs is epoch milliseconds").toBe(true);
  }
  expect(new Set(changes.map((change) => change.id)).size, "every change has its own id").toBe(
    changes.length,
  );
  return changes;
}

/** Acknowledges everything the log holds, so a test starts from an empty log on a shared backend. */
async function drain(log: ChangeLog): Promise<void> {
  for (let round = 0; round < 100; round++) {
    const changes = await log.readChanges(1000);
    if (changes.length === 0) return;
    await log.acknowledgeChanges(changes.map((change) => change.id));
  }
  expect.fail("the change log did not empty after 100 rounds of read and acknowledge");
}

/**
 * Runs `body` with recording on and an empty log, then turns recording off (it is durable: left on, the
 * writes of the other groups would pile up in a shared backend). A failing body keeps its own error.
 */
async function recording(
  target: VconStorage | StorageAdapter,
  body: (log: ChangeLog) => Promise<void>,
): Promise<void> {
  const log = changeLogOf(target);
  await log.recordChanges(true);
  await drain(log);
  let failure: { error: unknown } | undefined;
  try {
    await body(log);
  } catch (error) {
    failure = { error };
  }
  try {
    await log.recordChanges(false);
  } catch (error) {
    failure ??= { error };
  }
  if (failure) throw failure.error;
}

/** Opens a storage and runs `body` as `recording` does. */
async function withRecording(
  open: TestEnvironment["open"],
  body: (storage: VconStorage, log: ChangeLog) => Promise<void>,
): Promise<void> {
  const storage = await open();
  await recording(storage, (log) => body(storage, log));
}

const uuidsOf = (changes: readonly StorageChange[]) => changes.map((change) => change.uuid);
const idsOf = (changes: readonly StorageChange[]) => changes.map((change) => change.id);

/** Asserts that a change's json is what get() reads now: same parsed value, same key order. */
async function expectCurrentState(storage: VconStorage, change: StorageChange, message: string) {
  const stored = await storage.get(change.uuid);
  if (stored === null) {
    expect(change.json, `${message}: the uuid is not stored, so json is null`).toBeNull();
    return;
  }
  expect(change.json, `${message}: the uuid is stored, so json is its text`).not.toBeNull();
  const parsed = JSON.parse(change.json!);
  expect(parsed, `${message}: JSON.parse(json) equals get()`).toStrictEqual(stored);
  expect(JSON.stringify(parsed), `${message}: json keeps the stored key order`).toBe(JSON.stringify(stored));
}

export function changesGroup(suite: SuiteContext): void {
  const group = "changes";
  const spec = { requires: "changes" } as const;
  describe(group, () => {
    suite.test(
      group,
      "each save, saveMany and delete records one change per uuid it wrote, in write order",
      async ({ open }) => {
        await withRecording(open, async (storage, log) => {
          const [a, b, c, d, e] = Array.from({ length: 5 }, () => externalRecordingCall(randomVconUuid()));
          await storage.save(a!);
          await storage.save(b!);
          const expected: Array<string | Set<string>> = [a!.uuid, b!.uuid];
          if (storage.supports("saveMany")) {
            await storage.saveMany([c!, d!, e!]);
            // One transaction: the order of its changes among themselves says nothing to a consumer.
            expected.push(new Set([c!.uuid, d!.uuid, e!.uuid]));
          }
          if (storage.supports("delete")) {
            expect(await storage.delete(b!.uuid)).toBe(true);
            expected.push(b!.uuid);
          }
          const changes = await readAll(log);
          const count = expected.reduce((sum, step) => sum + (typeof step === "string" ? 1 : step.size), 0);
          expect(
            uuidsOf(changes),
            "one change per uuid per committed write (save, saveMany, delete), no more, no fewer",
          ).toHaveLength(count);
          let position = 0;
          for (const step of expected) {
            const size = typeof step === "string" ? 1 : step.size;
            const got = uuidsOf(changes.slice(position, position + size));
            const message = "changes are read lowest id first, and ids grow in recording order";
            if (typeof step === "string") expect(got, message).toStrictEqual([step]);
            else expect(new Set(got), message).toStrictEqual(step);
            position += size;
          }
        });
      },
      spec,
    );

    suite.test(
      group,
      "a change carries the uuid's state when read: the latest document, or null once deleted",
      async ({ open }) => {
        await withRecording(open, async (storage, log) => {
          const uuid = randomVconUuid();
          const first: Vcon = { ...externalRecordingCall(uuid), version: 1 };
          const second = emailThread(uuid);
          await storage.save(first);
          await storage.save(second);
          const changes = await readAll(log);
          expect(uuidsOf(changes)).toStrictEqual([uuid, uuid]);
          for (const change of changes) {
            expect(JSON.parse(change.json ?? "null"), CURRENT_STATE).toStrictEqual(second);
            await expectCurrentState(storage, change, "a saved uuid");
          }
          // Read again after a third write: the same changes now show the third document.
          const third: Vcon = { ...second, subject: "third" };
          await storage.save(third);
          for (const change of (await readAll(log)).slice(0, 2)) {
            expect(JSON.parse(change.json ?? "null"), CURRENT_STATE).toStrictEqual(third);
          }
          if (storage.supports("delete")) {
            const gone = randomVconUuid();
            await storage.save(externalRecordingCall(gone));
            await storage.delete(gone);
            const ofGone = (await readAll(log)).filter((change) => change.uuid === gone);
            expect(ofGone, "a save and a delete: two changes").toHaveLength(2);
            for (const change of ofGone) {
              expect(
                change.json,
                `a deleted uuid shows null on all its changes: ${CURRENT_STATE}`,
              ).toBeNull();
            }
          }
        });
      },
      spec,
    );

    suite.test(
      group,
      "changes of signed (JWS) and encrypted (JWE) vCons carry their uuid and their stored text",
      async ({ open }) => {
        await withRecording(open, async (storage, log) => {
          const signed = signedVcon(randomVconUuid());
          const encrypted = encryptedVcon(randomVconUuid());
          const uuids = [(await storage.save(signed)).uuid, (await storage.save(encrypted)).uuid];
          const changes = await readAll(log);
          expect(
            uuidsOf(changes),
            "a change's uuid is the one save keys the vCon by (PreparedVcon.uuid), not a top-level field",
          ).toStrictEqual(uuids);
          expect(JSON.parse(changes[0]!.json!)).toStrictEqual(signed);
          expect(JSON.parse(changes[1]!.json!)).toStrictEqual(encrypted);
        });
      },
      spec,
    );

    suite.test(
      group,
      "reading does not consume, and readChanges(limit) returns the lowest ids first",
      async ({ open }) => {
        await withRecording(open, async (storage, log) => {
          const documents = Array.from({ length: 5 }, () => externalRecordingCall(randomVconUuid()));
          for (const document of documents) await storage.save(document);
          const first = await readAll(log);
          expect(uuidsOf(first)).toStrictEqual(documents.map((document) => document.uuid));
          expect(idsOf(await readAll(log)), "a second read returns the same changes").toStrictEqual(
            idsOf(first),
          );
          const two = await log.readChanges(2);
          expect(two, "readChanges(2) returns at most 2").toHaveLength(2);
          expect(idsOf(two), "readChanges(2): the two lowest ids").toStrictEqual(idsOf(first).slice(0, 2));
          expect((await log.pendingChanges()).count, "reading acknowledged nothing").toBe(5);
        });
      },
      spec,
    );

    suite.test(
      group,
      "acknowledging some changes leaves exactly the others; pendingChanges counts them",
      async ({ open }) => {
        const started = Date.now();
        await withRecording(open, async (storage, log) => {
          expect(await log.pendingChanges(), "an empty log").toStrictEqual({ count: 0, oldestMs: null });
          for (let i = 0; i < 6; i++) await storage.save(externalRecordingCall(randomVconUuid()));
          const all = await readAll(log);
          expect(all).toHaveLength(6);
          const before = await log.pendingChanges();
          expect(before.count, "pendingChanges counts every unacknowledged change").toBe(6);
          expect(before.oldestMs, "oldestMs is the oldest change's recordedMs").toBe(
            Math.min(...all.map((change) => change.recordedMs)),
          );
          expect(before.oldestMs!, "recordedMs is now-ish epoch milliseconds").toBeGreaterThan(
            started - CLOCK_SLACK_MS,
          );
          expect(before.oldestMs!).toBeLessThan(Date.now() + CLOCK_SLACK_MS);

          const [kept, acknowledged] = [all.filter((_, i) => i % 2 === 1), all.filter((_, i) => i % 2 === 0)];
          await log.acknowledgeChanges(idsOf(acknowledged));
          expect(idsOf(await readAll(log)), "exactly the changes not acknowledged remain").toStrictEqual(
            idsOf(kept),
          );
          const after = await log.pendingChanges();
          expect(after.count, "pendingChanges counts what is left").toBe(3);
          expect(after.oldestMs, "oldestMs is the oldest remaining change's recordedMs").toBe(
            Math.min(...kept.map((change) => change.recordedMs)),
          );

          await log.acknowledgeChanges(idsOf(kept));
          expect(await readAll(log)).toStrictEqual([]);
          expect(await log.pendingChanges(), "nothing pending").toStrictEqual({ count: 0, oldestMs: null });
        });
      },
      spec,
    );

    suite.test(
      group,
      "acknowledging unknown, repeated or already acknowledged ids is harmless",
      async ({ open }) => {
        await withRecording(open, async (storage, log) => {
          for (let i = 0; i < 2; i++) await storage.save(externalRecordingCall(randomVconUuid()));
          const [first, second] = await readAll(log);
          const unknown = ["not-a-change-id", "", "-1", "0", "99999999999999999999999999"];
          await log.acknowledgeChanges([first!.id, first!.id, ...unknown]);
          expect(idsOf(await readAll(log)), "unknown ids are ignored, known ones forgotten").toStrictEqual([
            second!.id,
          ]);
          await log.acknowledgeChanges([first!.id]);
          await log.acknowledgeChanges(unknown);
          expect(idsOf(await readAll(log)), "acknowledging again changes nothing").toStrictEqual([
            second!.id,
          ]);
          expect((await log.pendingChanges()).count).toBe(1);
        });
      },
      spec,
    );

    suite.test(
      group,
      `${WRITERS} concurrent saves of different uuids record exactly ${WRITERS} changes`,
      async ({ open }) => {
        await withRecording(open, async (storage, log) => {
          const documents = Array.from({ length: WRITERS }, () =>
            externalRecordingCall(randomVconUuid(), { tel: uniqueTel() }),
          );
          await Promise.all(documents.map((document) => storage.save(document)));
          const changes = await readAll(log);
          expect(
            [...uuidsOf(changes)].sort(),
            "every concurrent write records its own change (none lost or merged when writes are batched)",
          ).toStrictEqual(documents.map((document) => document.uuid).sort());
          expect((await log.pendingChanges()).count).toBe(WRITERS);
        });
      },
      spec,
    );

    suite.test(
      group,
      "a write the backend refuses records no change",
      async ({ open, failWrites, restoreWrites }) => {
        const fresh = externalRecordingCall(randomVconUuid());
        const stored = externalRecordingCall(randomVconUuid());
        // Before recording starts: without the hook the test skips here.
        await failWrites(fresh.uuid);
        await withRecording(open, async (storage, log) => {
          await storage.save(stored);
          await drain(log);
          await failWrites(stored.uuid);
          for (const [what, write] of [
            ["a new vCon", () => storage.save(fresh)],
            ["an update", () => storage.save(emailThread(stored.uuid))],
          ] as const) {
            await expect(write(), `the backend refuses the save of ${what}`).rejects.toSatisfy(
              isStorageError,
            );
          }
          expect(
            await readAll(log),
            "a failed write recorded a change: record it in the write's own transaction",
          ).toStrictEqual([]);
          expect((await log.pendingChanges()).count).toBe(0);
          await restoreWrites();
          await storage.save(fresh);
          expect(uuidsOf(await readAll(log)), "after restoreWrites the write records").toStrictEqual([
            fresh.uuid,
          ]);
        });
      },
      spec,
    );

    suite.test(
      group,
      "a saveMany chunk the backend refuses records none of its uuids",
      async ({ open, failWrites }) => {
        const documents = Array.from({ length: 6 }, () => externalRecordingCall(randomVconUuid()));
        await failWrites(documents[3]!.uuid);
        await withRecording(open, async (storage, log) => {
          const error = await storage.saveMany(documents).then(
            () => expect.fail("saveMany resolved although the backend refused a write of its chunk"),
            (rejection: unknown) => rejection,
          );
          expect(isStorageError(error), "the rejection is a StorageError").toBe(true);
          // One chunk unless the adapter's maxBatchSize is smaller: chunks before the refused one landed.
          const landed = (error as { landed?: ReadonlyArray<{ start: number; end: number }> }).landed ?? [];
          const expected = documents
            .filter((_, index) => landed.some(({ start, end }) => index >= start && index < end))
            .map((document) => document.uuid);
          expect(
            [...uuidsOf(await readAll(log))].sort(),
            "a refused chunk recorded changes: record them in the chunk's own transaction",
          ).toStrictEqual(expected.sort());
        });
      },
      { requires: ["changes", "saveMany"] },
    );

    suite.test(
      group,
      "the adapter's own saveMany that fails mid-chunk records none of its uuids",
      async ({ openAdapter, probe, skip }) => {
        const { chunk } = chunkFailingMidway({ probe, skip });
        const adapter = await openAdapter();
        await recording(adapter, async (log) => {
          await expect((async () => adapter.saveMany!(chunk))()).rejects.toThrow();
          expect(
            await readAll(log),
            "a failed chunk recorded changes: record them with the chunk's writes, after it is built",
          ).toStrictEqual([]);
        });
      },
      { requires: ["changes", "saveMany"] },
    );

    suite.test(
      group,
      "recordChanges(false) forgets what is pending and records nothing until turned on again",
      async ({ open }) => {
        await withRecording(open, async (storage, log) => {
          const before = externalRecordingCall(randomVconUuid());
          await storage.save(before);
          expect((await log.pendingChanges()).count).toBe(1);
          await log.recordChanges(false);
          expect(
            await readAll(log),
            "turning recording off forgets every unacknowledged change",
          ).toStrictEqual([]);
          expect(await log.pendingChanges()).toStrictEqual({ count: 0, oldestMs: null });
          await storage.save(externalRecordingCall(randomVconUuid()));
          await storage.save({ ...before, subject: "while off" });
          if (storage.supports("delete")) await storage.delete(before.uuid);
          expect(await readAll(log), "writes while recording is off record nothing").toStrictEqual([]);
          await log.recordChanges(true);
          const after = searchableVcon(randomVconUuid(), { tel: uniqueTel() });
          await storage.save(after);
          expect(uuidsOf(await readAll(log)), "turned on again, writes record again").toStrictEqual([
            after.uuid,
          ]);
        });
      },
      spec,
    );

    suite.test(
      group,
      "recordChanges(true) when already on keeps what is pending and records each write once",
      async ({ open }) => {
        await withRecording(open, async (storage, log) => {
          const first = externalRecordingCall(randomVconUuid());
          await storage.save(first);
          await log.recordChanges(true);
          await log.recordChanges(true);
          const second = externalRecordingCall(randomVconUuid());
          await storage.save(second);
          expect(
            uuidsOf(await readAll(log)),
            "turning recording on again must neither forget pending changes nor record a write twice",
          ).toStrictEqual([first.uuid, second.uuid]);
        });
      },
      spec,
    );

    suite.test(
      group,
      "the change-log methods reject with NOT_SUPPORTED when the capability is not declared",
      async ({ open, skip }) => {
        const storage = await open();
        const calls: Array<[keyof VconStorage, () => Promise<unknown>]> = [
          ["recordChanges", () => storage.recordChanges!(true)],
          ["readChanges", () => storage.readChanges!(1)],
          ["acknowledgeChanges", () => storage.acknowledgeChanges!(["1"])],
          ["pendingChanges", () => storage.pendingChanges!()],
        ];
        // Optional in VconStorage: a storage written before they existed may not have them at all.
        const present = calls.filter(([method]) => typeof storage[method] === "function");
        if (present.length === 0) skip("the storage has none of the change-log methods");
        for (const [, call] of present) await expectStorageError(call, "NOT_SUPPORTED");
      },
      { requiresMissing: "changes" },
    );
  });
}
