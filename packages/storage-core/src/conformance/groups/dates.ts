/**
 * created_at without an offset (vcon-server writes `2024-03-16T16:09:20.701906`) is UTC on every
 * adapter, whatever the time zone of the process: JavaScript's `Date.parse` reads such text as LOCAL
 * time, so an adapter that parses it itself answers time windows and order differently on a server
 * in New York. These tests switch this process to America/New_York (Node applies `process.env.TZ`
 * at once) and expect the answers of the UTC reading. In this process, not a child one: the factory
 * is a closure the suite cannot send elsewhere. Core's own tests run its date rule in a child process.
 */
import { isMainThread } from "node:worker_threads";
import { describe, expect, onTestFinished } from "vitest";
import type { Vcon } from "../../types.js";
import { collect, uuidOfItem } from "../assertions.js";
import type { SuiteContext } from "../context.js";
import { iso, randomInstantMs, randomVconUuid, searchableVcon, uniqueTel } from "../fixtures.js";

const ZONE = "America/New_York";

const UTC_RULE =
  "a created_at without an offset must be read as UTC (core's rule): use PreparedVcon.createdAtMs or " +
  "core's date parser, never Date.parse / new Date on the text, and store it in a UTC column";

/** Switches this process to New York time until the test ends; false when the runtime cannot. */
function inNewYork(): boolean {
  const previous = process.env.TZ;
  process.env.TZ = ZONE;
  onTestFinished(() => {
    if (previous === undefined) delete process.env.TZ;
    else process.env.TZ = previous;
  });
  // 12:00 UTC on 15 January is 07:00 in New York (UTC-5).
  return new Date(Date.UTC(2024, 0, 15, 12)).getHours() === 7;
}

/** `2024-03-16T16:09:20.701906`: the instant's UTC wall time, microseconds, no offset. */
function withoutOffset(ms: number): string {
  return `${iso(ms).slice(0, -1)}906`;
}

export function datesGroup(suite: SuiteContext): void {
  const group = "dates without an offset";
  describe(group, () => {
    suite.test(
      group,
      `created_at without an offset is UTC for order and time windows (process in ${ZONE})`,
      async ({ open, skip }) => {
        if (!isMainThread) {
          skip(
            "runs in a worker thread (vitest pool 'threads'), where switching TZ would change it for every " +
              "test file of the process: run the suite with pool 'forks', vitest's default",
          );
        }
        if (!inNewYork()) skip(`this runtime cannot switch the process time zone to ${ZONE}`);
        const storage = await open();
        const tel = uniqueTel();
        const at = randomInstantMs();
        const before = searchableVcon(randomVconUuid(), { tel, createdAt: iso(at - 1) });
        const naive = searchableVcon(randomVconUuid(), { tel, createdAt: withoutOffset(at) });
        const after = searchableVcon(randomVconUuid(), { tel, createdAt: iso(at + 1) });
        for (const document of [naive, after, before]) await storage.save(document);
        expect(await storage.get(naive.uuid), "the text itself is kept").toStrictEqual(naive);
        const uuids = (items: readonly unknown[]) => items.map((item) => uuidOfItem(item as Vcon));
        if (storage.supports("search")) {
          expect(uuids((await storage.search({ tel })).items), `order: ${UTC_RULE}`).toStrictEqual([
            before.uuid,
            naive.uuid,
            after.uuid,
          ]);
          const window = await storage.search({ tel, since: new Date(at), until: new Date(at + 1) });
          expect(uuids(window.items), `time window: ${UTC_RULE}`).toStrictEqual([naive.uuid]);
          const naiveSince = await storage.search({ tel, since: iso(at).slice(0, -1) });
          expect(uuids(naiveSince.items), "a since without an offset is UTC too").toStrictEqual([
            naive.uuid,
            after.uuid,
          ]);
        }
        if (storage.supports("export")) {
          const exported = await collect(
            storage.export({ since: new Date(at - 1), until: new Date(at + 2) }),
          );
          const ours = new Set([before.uuid, naive.uuid, after.uuid]);
          expect(
            uuids(exported).filter((uuid) => ours.has(uuid)),
            `export order and range: ${UTC_RULE}`,
          ).toStrictEqual([before.uuid, naive.uuid, after.uuid]);
        }
      },
    );
  });
}
