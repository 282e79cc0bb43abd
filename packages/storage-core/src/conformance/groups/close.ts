import { createHook } from "node:async_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect } from "vitest";
import type { StorageAdapter } from "../../adapter.js";
import { prepareVcon } from "../../document.js";
import { normalizeExportOptions, normalizeSearchQuery } from "../../query.js";
import type { VconStorage } from "../../storage.js";
import { collect, expectStorageError } from "../assertions.js";
import { type ResolvedOptions, type SuiteContext, within } from "../context.js";
import { externalRecordingCall, randomVconUuid, uniqueTel } from "../fixtures.js";

const SETTLE_MS = 5_000;
const RELEASE_MS = 3_000;

/** The kinds of async resource that keep a process alive: timers, sockets, pipes, files, servers. */
const HANDLE_TYPES = new Set([
  "Timeout",
  "TCPWRAP",
  "PIPEWRAP",
  "UDPWRAP",
  "FILEHANDLE",
  "TCPSERVERWRAP",
  "PROCESSWRAP",
]);

interface HandleLike {
  hasRef?: () => boolean;
  fd?: number;
}

/**
 * Whether a handle still keeps the process alive. An unref'd one does not; a closed file handle
 * (negative fd) is closed even though its destroy event waits for garbage collection.
 */
function isOpen(type: string, resource: HandleLike): boolean {
  if (type === "FILEHANDLE") return typeof resource.fd === "number" && resource.fd >= 0;
  return resource.hasRef?.() !== false;
}

/**
 * Records the handles created from now on (by the adapter, since the test does nothing else), so
 * `left()` can list those still open. Handles other code of the process holds are not counted.
 */
function watchHandles() {
  const live = new Map<number, { type: string; resource: HandleLike }>();
  let recording = true;
  const hook = createHook({
    init(id, type, _trigger, resource) {
      if (recording && HANDLE_TYPES.has(type)) live.set(id, { type, resource: resource as HandleLike });
    },
    destroy(id) {
      live.delete(id);
    },
  }).enable();
  const open = () =>
    [...live.values()]
      // See isOpen: unref'd handles and closed file handles do not count.
      .filter(({ type, resource }) => isOpen(type, resource))
      .map(({ type }) => type);
  return {
    /** The handles still open, after waiting up to RELEASE_MS for them to close. */
    async left(): Promise<string[]> {
      // From here on only closing counts: the waiting below makes timers of its own.
      recording = false;
      const deadline = Date.now() + RELEASE_MS;
      try {
        while (open().length > 0 && Date.now() < deadline) await sleep(50);
        return open().sort();
      } finally {
        hook.disable();
      }
    },
  };
}

/** The backend's resource count (the openResources hook) after waiting up to RELEASE_MS to come down. */
async function backendResourcesLeft(options: ResolvedOptions, before: number): Promise<number> {
  const deadline = Date.now() + RELEASE_MS;
  for (;;) {
    const now = await options.openResources!();
    if (now <= before || Date.now() > deadline) return now;
    await sleep(50);
  }
}

/** One call of every method the adapter has, as core would make it. */
function everyCall(adapter: StorageAdapter): Record<string, () => Promise<unknown>> {
  const uuid = randomVconUuid();
  const calls: Record<string, () => Promise<unknown>> = {
    save: () => adapter.save(prepareVcon(externalRecordingCall(uuid))),
    get: () => adapter.get(uuid),
  };
  if (adapter.delete) calls.delete = () => adapter.delete!(uuid);
  if (adapter.exists) calls.exists = () => adapter.exists!(uuid);
  if (adapter.saveMany) calls.saveMany = () => adapter.saveMany!([prepareVcon(externalRecordingCall(uuid))]);
  if (adapter.search) calls.search = () => adapter.search!(normalizeSearchQuery({ tel: uniqueTel() }));
  if (adapter.export) {
    calls.export = async () => {
      const options = normalizeExportOptions({}, new AbortController().signal);
      const iterator = adapter.export!(options)[Symbol.asyncIterator]();
      await iterator.next();
      await iterator.return?.();
    };
  }
  // Not recordChanges: a closed adapter that quietly reconnected would switch recording for the backend.
  if (adapter.readChanges) calls.readChanges = () => adapter.readChanges!(1);
  if (adapter.acknowledgeChanges) calls.acknowledgeChanges = () => adapter.acknowledgeChanges!(["unknown"]);
  if (adapter.pendingChanges) calls.pendingChanges = () => adapter.pendingChanges!();
  return calls;
}

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
      // Optional in VconStorage's type, always there on a storage core made.
      if (storage.recordChanges) calls.recordChanges = () => storage.recordChanges!(true);
      if (storage.readChanges) calls.readChanges = () => storage.readChanges!(1);
      if (storage.acknowledgeChanges) calls.acknowledgeChanges = () => storage.acknowledgeChanges!(["1"]);
      if (storage.pendingChanges) calls.pendingChanges = () => storage.pendingChanges!();
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

    suite.test(group, "close releases this process's handles: sockets, timers, files", async ({ open }) => {
      const handles = watchHandles();
      const storage = await open();
      await useOnceAndClose(storage);
      expect(
        await handles.left(),
        `close() left handles open ${RELEASE_MS / 1000} s later: end pools, quit clients, clear timers ` +
          "(or unref them) and close files in close()",
      ).toStrictEqual([]);
    });

    suite.test(
      group,
      "close releases the backend's resources (openResources hook)",
      async ({ open, options, skip }) => {
        if (options.openResources === undefined) skip("the options give no openResources hook");
        const before = await options.openResources!();
        const storage = await open();
        await useOnceAndClose(storage);
        expect(
          await backendResourcesLeft(options, before),
          "close() left backend resources (connections, cursors, locks) open: release them all in close()",
        ).toBeLessThanOrEqual(before);
      },
    );

    suite.test(
      group,
      "calls on a closed adapter settle and reopen nothing",
      async ({ openAdapter, closeAdapter, options }) => {
        const handles = watchHandles();
        const resourcesBefore = await options.openResources?.();
        const adapter = await openAdapter();
        await adapter.get(randomVconUuid());
        await closeAdapter(adapter);
        // Core answers CLOSED before a call reaches a closed adapter; a direct call should reject too.
        // It must at least settle, and must not quietly reconnect (a lazy pool, a reconnecting client).
        const settled = await Promise.all(
          Object.entries(everyCall(adapter)).map(([method, call]) =>
            within(
              Promise.resolve()
                .then(call)
                .catch(() => {}),
              SETTLE_MS,
              "hang",
            ).then(
              () => null,
              () => method,
            ),
          ),
        );
        const hanging = settled.filter((method) => method !== null);
        expect(
          hanging,
          `calls on a closed adapter did not settle within ${SETTLE_MS / 1000} s: reject them (ClosedError) instead of waiting for a connection`,
        ).toStrictEqual([]);
        expect(
          await handles.left(),
          "calls after close() reopened handles: a closed adapter must not reconnect",
        ).toStrictEqual([]);
        if (resourcesBefore !== undefined) {
          expect(
            await backendResourcesLeft(options, resourcesBefore),
            "calls after close() reopened backend resources: a closed adapter must not reconnect",
          ).toBeLessThanOrEqual(resourcesBefore);
        }
      },
      { timeoutMs: 60_000 },
    );

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

/** A save, a get and (when declared) a search, then close: the resources a short-lived storage touches. */
async function useOnceAndClose(storage: VconStorage): Promise<void> {
  const uuid = randomVconUuid();
  await storage.save(externalRecordingCall(uuid));
  await storage.get(uuid);
  if (storage.supports("search")) await storage.search({ tel: uniqueTel() });
  await storage.close();
}
