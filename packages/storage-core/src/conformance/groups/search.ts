import { describe, expect } from "vitest";
import { encodeCursor } from "../../query.js";
import type { Vcon } from "../../types.js";
import { expectStorageError, searchAll, uuidOfItem } from "../assertions.js";
import type { SuiteContext } from "../context.js";
import {
  iso,
  randomInstantMs,
  randomVconUuid,
  searchableVcon,
  signedVcon,
  uniqueTel,
  uniqueToken,
} from "../fixtures.js";

/** Values that mean something to SQL, LIKE, regular expressions or JSON path: matched literally. */
export const SYNTAX_VALUES = [
  "' or 1=1 --",
  "%",
  "_",
  "\\",
  "\\%",
  "a%b_c",
  "$.parties[*].tel",
  '{"tel": "x"}',
  ".*",
  "[a-z]+",
  "?",
  "*",
  "'; DROP TABLE vcons; --",
  "@>",
  "::text",
];

/** The largest uuid: a cursor at (t, LAST_UUID) is just before everything at t + 1 ms. */
const LAST_UUID = "ffffffff-ffff-4fff-bfff-ffffffffffff";

const uuidsOf = (items: readonly unknown[]) => items.map((item) => uuidOfItem(item as Vcon));

export function searchGroup(suite: SuiteContext): void {
  const group = "search";
  describe(group, () => {
    const spec = { requires: "search" } as const;

    suite.test(
      group,
      "tel matches exactly: no prefix, suffix or substring matches",
      async ({ open }) => {
        const storage = await open();
        const tel = uniqueTel();
        const exact = [randomVconUuid(), randomVconUuid()].sort();
        for (const uuid of exact)
          await storage.save(searchableVcon(uuid, { tel, createdAt: "2001-01-01T00:00:00.000Z" }));
        for (const near of [`${tel}0`, tel.slice(0, -1), tel.slice(1), ` ${tel}`, `tel:${tel}`]) {
          await storage.save(
            searchableVcon(randomVconUuid(), { tel: near, createdAt: "2001-01-01T00:00:00.000Z" }),
          );
        }
        expect(uuidsOf((await storage.search({ tel })).items)).toStrictEqual(exact);
      },
      spec,
    );

    suite.test(
      group,
      "mailto matches exactly, ignoring case",
      async ({ open }) => {
        const storage = await open();
        const token = uniqueToken();
        const uuid = randomVconUuid();
        await storage.save(searchableVcon(uuid, { mailto: `Erin.${token}@Example.ORG` }));
        await storage.save(searchableVcon(randomVconUuid(), { mailto: `xerin.${token}@example.org` }));
        await storage.save(searchableVcon(randomVconUuid(), { mailto: `erin.${token}@example.org.evil` }));
        expect(uuidsOf((await storage.search({ mailto: `erin.${token}@example.org` })).items)).toStrictEqual([
          uuid,
        ]);
        expect(uuidsOf((await storage.search({ mailto: `ERIN.${token}@EXAMPLE.ORG` })).items)).toStrictEqual([
          uuid,
        ]);
        expect((await storage.search({ mailto: `rin.${token}@example.org` })).items).toStrictEqual([]);
      },
      spec,
    );

    suite.test(
      group,
      "name matches a case-insensitive substring of any party's name",
      async ({ open }) => {
        const storage = await open();
        const tel = uniqueTel();
        const token = uniqueToken();
        const hit = searchableVcon(randomVconUuid(), { tel, name: `Dr. ${token.toUpperCase()} Smith` });
        const second: Vcon = {
          uuid: randomVconUuid(),
          parties: [{ name: "Nobody" }, { tel, name: `${token}son` }],
        };
        await storage.save(hit);
        await storage.save(second);
        await storage.save(searchableVcon(randomVconUuid(), { tel, name: "Unrelated" }));
        const found = uuidsOf((await storage.search({ name: token })).items).sort();
        expect(found).toStrictEqual([hit.uuid, second.uuid].sort());
        expect((await storage.search({ name: `${token}x` })).items).toStrictEqual([]);
      },
      spec,
    );

    suite.test(
      group,
      "subject matches a case-insensitive substring",
      async ({ open }) => {
        const storage = await open();
        const token = uniqueToken();
        const uuid = randomVconUuid();
        await storage.save(searchableVcon(uuid, { subject: `Re: Refund ${token.toUpperCase()} please` }));
        await storage.save(searchableVcon(randomVconUuid(), { subject: "Refund" }));
        expect(uuidsOf((await storage.search({ subject: `refund ${token}` })).items)).toStrictEqual([uuid]);
        expect(uuidsOf((await storage.search({ subject: token })).items)).toStrictEqual([uuid]);
      },
      spec,
    );

    suite.test(
      group,
      "filters combine with AND, across the same or different parties",
      async ({ open }) => {
        const storage = await open();
        const tel = uniqueTel();
        const token = uniqueToken();
        const both = searchableVcon(randomVconUuid(), {
          tel,
          name: `ann ${token}`,
          subject: `case ${token}`,
        });
        const otherParty: Vcon = {
          uuid: randomVconUuid(),
          subject: `case ${token}`,
          parties: [{ tel }, { name: `bob ${token}` }],
        };
        await storage.save(both);
        await storage.save(otherParty);
        await storage.save(searchableVcon(randomVconUuid(), { tel, name: "ann", subject: "case" }));
        const found = uuidsOf((await storage.search({ tel, name: token, subject: token })).items).sort();
        expect(found).toStrictEqual([both.uuid, otherParty.uuid].sort());
        expect(uuidsOf((await storage.search({ tel, name: `ann ${token}` })).items)).toStrictEqual([
          both.uuid,
        ]);
      },
      spec,
    );

    suite.test(
      group,
      "since is inclusive and until exclusive",
      async ({ open }) => {
        const storage = await open();
        const tel = uniqueTel();
        const at = randomInstantMs();
        const uuids = [0, 1, 2].map(() => randomVconUuid());
        for (const [offset, uuid] of uuids.entries()) {
          await storage.save(searchableVcon(uuid, { tel, createdAt: iso(at + offset) }));
        }
        const page = await storage.search({ tel, since: new Date(at + 1), until: new Date(at + 2) });
        expect(uuidsOf(page.items)).toStrictEqual([uuids[1]]);
        const asText = await storage.search({ tel, since: iso(at), until: iso(at + 2) });
        expect(uuidsOf(asText.items)).toStrictEqual([uuids[0], uuids[1]]);
      },
      spec,
    );

    suite.test(
      group,
      "created_at with an offset is compared as an instant",
      async ({ open }) => {
        const storage = await open();
        const tel = uniqueTel();
        const uuid = randomVconUuid();
        // 10:00 at +02:00 is 08:00Z.
        await storage.save(searchableVcon(uuid, { tel, createdAt: "2011-03-04T10:00:00.000+02:00" }));
        const hit = await storage.search({
          tel,
          since: "2011-03-04T08:00:00.000Z",
          until: "2011-03-04T08:00:00.001Z",
        });
        expect(uuidsOf(hit.items)).toStrictEqual([uuid]);
        expect((await storage.search({ tel, since: "2011-03-04T08:00:00.001Z" })).items).toStrictEqual([]);
      },
      spec,
    );

    suite.test(
      group,
      "results come in (created_at, uuid) order",
      async ({ open }) => {
        const storage = await open();
        const tel = uniqueTel();
        const at = randomInstantMs();
        const expected: Array<[number, string]> = [];
        for (const offset of [5, 0, 5, 3, 0, 5]) {
          const uuid = randomVconUuid();
          expected.push([offset, uuid]);
          await storage.save(searchableVcon(uuid, { tel, createdAt: iso(at + offset) }));
        }
        expected.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
        expect(uuidsOf((await storage.search({ tel })).items)).toStrictEqual(
          expected.map(([, uuid]) => uuid),
        );
      },
      spec,
    );

    suite.test(
      group,
      "pagination never skips or repeats, including across equal created_at",
      async ({ open }) => {
        const storage = await open();
        const tel = uniqueTel();
        const at = randomInstantMs();
        const uuids: string[] = [];
        for (const offset of [0, 0, 0, 1, 1, 2, 3, 3, 3, 3, 4]) {
          const uuid = randomVconUuid();
          uuids.push(uuid);
          await storage.save(searchableVcon(uuid, { tel, createdAt: iso(at + offset) }));
        }
        const unpaged = uuidsOf((await storage.search({ tel, limit: 1000 })).items);
        for (const limit of [1, 2, 3, 5]) {
          const pages = await searchAll(storage, { tel, limit });
          for (const page of pages.slice(0, -1)) expect(page).toHaveLength(limit);
          expect(uuidsOf(pages.flat()), `limit ${limit}`).toStrictEqual(unpaged);
        }
        expect([...unpaged].sort()).toStrictEqual([...uuids].sort());
      },
      spec,
    );

    suite.test(
      group,
      "the last page has a null cursor; an exact multiple ends without an empty page or with one",
      async ({ open }) => {
        const storage = await open();
        const tel = uniqueTel();
        for (let i = 0; i < 4; i++)
          await storage.save(searchableVcon(randomVconUuid(), { tel, createdAt: iso(randomInstantMs()) }));
        const pages = await searchAll(storage, { tel, limit: 2 });
        expect(pages.flat()).toHaveLength(4);
        // At most one trailing empty page is allowed.
        expect(pages.length === 2 || (pages.length === 3 && pages[2]!.length === 0)).toBe(true);
        const single = await storage.search({ tel, limit: 10 });
        expect(single.nextCursor).toBeNull();
      },
      spec,
    );

    suite.test(
      group,
      "pagination never skips or repeats under concurrent inserts",
      async ({ open }) => {
        const storage = await open();
        const tel = uniqueTel();
        const at = randomInstantMs();
        const original: string[] = [];
        for (let offset = 0; offset < 10; offset++) {
          const uuid = randomVconUuid();
          original.push(uuid);
          await storage.save(searchableVcon(uuid, { tel, createdAt: iso(at + offset * 10) }));
        }
        const seen: string[] = [];
        let cursor: string | null = null;
        let round = 0;
        do {
          const page = await storage.search({ tel, limit: 3, cursor });
          seen.push(...uuidsOf(page.items));
          cursor = page.nextCursor;
          // Between the first pages, insert before, inside and after the remaining range, concurrently.
          if (round < 3) {
            await Promise.all(
              [-5 - round, round * 30 + 5, 95 + round, 200 + round].map((offset) =>
                storage.save(searchableVcon(randomVconUuid(), { tel, createdAt: iso(at + offset) })),
              ),
            );
          }
          round++;
          if (round > 100) expect.fail("paging did not end");
        } while (cursor !== null);
        expect(new Set(seen).size, "no document repeats").toBe(seen.length);
        for (const uuid of original) expect(seen, "no stored document is skipped").toContain(uuid);
      },
      spec,
    );

    suite.test(
      group,
      "SQL, LIKE, regex and JSON path syntax in values is matched literally",
      async ({ open }) => {
        const storage = await open();
        const scope = uniqueTel();
        const decoys = ["plain", "a", "ab", "abc", "a\\b", "x%y", "%%", "__", "1", "'", "or"];
        for (const value of decoys) {
          await storage.save(searchableVcon(randomVconUuid(), { tel: scope, name: value, subject: value }));
        }
        for (const value of SYNTAX_VALUES) {
          const tel = `${value}${uniqueToken()}`;
          const uuid = randomVconUuid();
          await storage.save(
            searchableVcon(uuid, {
              tel,
              name: `n${value}n`,
              subject: `s${value}s`,
              mailto: `${value}@x.test`,
            }),
          );
          const literal = searchableVcon(randomVconUuid(), {
            tel: scope,
            name: `n${value}n`,
            subject: `s${value}s`,
          });
          await storage.save(literal);
          expect(uuidsOf((await storage.search({ tel })).items), `tel ${value}`).toStrictEqual([uuid]);
          const byName = uuidsOf((await storage.search({ tel: scope, name: value })).items);
          const expectedByName = (await collectScope(storage, scope)).filter((d) =>
            (d.parties?.[0]?.name ?? "").toLowerCase().includes(value.toLowerCase()),
          );
          expect(byName.sort(), `name ${value}`).toStrictEqual(uuidsOf(expectedByName).sort());
          expect(byName, `name ${value}`).toContain(literal.uuid);
          const bySubject = uuidsOf((await storage.search({ tel: scope, subject: value })).items);
          expect(bySubject.sort(), `subject ${value}`).toStrictEqual(uuidsOf(expectedByName).sort());
          const byMailto = uuidsOf((await storage.search({ tel, mailto: `${value}@X.TEST` })).items);
          expect(byMailto, `mailto ${value}`).toStrictEqual([uuid]);
        }
      },
      { ...spec, timeoutMs: 60_000 },
    );

    suite.test(
      group,
      "signed vCons are found by their payload's parties",
      async ({ open }) => {
        const storage = await open();
        const tel = uniqueTel();
        const uuid = randomVconUuid();
        const signed = signedVcon(uuid, { tel });
        await storage.save(signed);
        expect((await storage.search({ tel })).items).toStrictEqual([signed]);
      },
      spec,
    );

    suite.test(
      group,
      "a vCon without created_at is still found",
      async ({ open }) => {
        const storage = await open();
        const tel = uniqueTel();
        const document = searchableVcon(randomVconUuid(), { tel });
        await storage.save(document);
        expect((await storage.search({ tel })).items).toStrictEqual([document]);
      },
      spec,
    );

    for (const via of ["save", "saveMany"] as const) {
      suite.test(
        group,
        `an update (${via}) that removes a tel, mailto, name or subject stops finding the document`,
        async ({ open }) => {
          const storage = await open();
          const uuid = randomVconUuid();
          const token = uniqueToken();
          const old = { tel: uniqueTel(), mailto: `old.${token}@example.test`, name: `Old ${token}` };
          const kept = uniqueTel();
          await storage.save({
            uuid,
            subject: `old subject ${token}`,
            parties: [old, { tel: kept, name: "Kept Party" }],
          });
          const update: Vcon = { uuid, subject: "new subject", parties: [{ tel: kept, name: "Kept Party" }] };
          if (via === "save") await storage.save(update);
          else await storage.saveMany([update]);
          const stale: Array<[string, Record<string, string>]> = [
            ["tel", { tel: old.tel }],
            ["mailto", { mailto: old.mailto }],
            ["name", { name: `old ${token}` }],
            ["subject", { subject: `old subject ${token}` }],
          ];
          for (const [field, query] of stale) {
            expect(
              uuidsOf((await storage.search(query)).items),
              `${field} removed by the update still finds the document: an update must replace every ` +
                "search row of the vCon (delete the side-table rows of the uuid, then insert the new ones, in the same transaction)",
            ).toStrictEqual([]);
          }
          expect(
            uuidsOf((await storage.search({ tel: kept })).items),
            "the kept tel still finds it",
          ).toStrictEqual([uuid]);
          expect((await storage.search({ tel: kept, subject: "new subject" })).items).toStrictEqual([update]);
        },
        via === "save" ? spec : { requires: ["search", "saveMany"] },
      );
    }

    suite.test(
      group,
      "a search with only since and until returns the documents of that range",
      async ({ open }) => {
        const storage = await open();
        const at = randomInstantMs();
        const documents = [0, 1, 2].map((offset) =>
          searchableVcon(randomVconUuid(), { tel: uniqueTel(), createdAt: iso(at + offset) }),
        );
        for (const document of [...documents].reverse()) await storage.save(document);
        const expected = uuidsOf(documents);
        const mine = (items: readonly unknown[]) => uuidsOf(items).filter((uuid) => expected.includes(uuid));
        const hint =
          "a query with only a time range (no tel, mailto, name or subject) must return every document in it";
        const both = await storage.search({ since: new Date(at), until: new Date(at + 3) });
        expect(mine(both.items), `since and until: ${hint}`).toStrictEqual(expected);
        // Bounded on a backend full of other documents: the first page after `since`, and the page
        // after a cursor placed just before the range (a position, not a filter).
        const sinceOnly = await storage.search({ since: new Date(at + 1), limit: 2 });
        expect(uuidsOf(sinceOnly.items), `only since: ${hint}`).toStrictEqual(expected.slice(1));
        const justBefore = encodeCursor({ createdAt: iso(at - 1), uuid: LAST_UUID });
        const untilOnly = await storage.search({ until: new Date(at + 2), cursor: justBefore });
        expect(uuidsOf(untilOnly.items), `only until: ${hint}`).toStrictEqual(expected.slice(0, 2));
      },
      spec,
    );

    suite.test(
      group,
      "a search without any filter returns stored documents, in order, page by page",
      async ({ open }) => {
        const storage = await open();
        const at = randomInstantMs();
        const document = searchableVcon(randomVconUuid(), { tel: uniqueTel(), createdAt: iso(at) });
        await storage.save(document);
        const page = await storage.search({});
        expect(
          page.items.length,
          "search({}) on a storage that holds documents returns some",
        ).toBeGreaterThan(0);
        // Positioned just before the document (a cursor is a position, filters are none): it comes first.
        const before = encodeCursor({ createdAt: iso(at - 1), uuid: LAST_UUID });
        const positioned = await storage.search({ cursor: before, limit: 5 });
        expect(
          uuidsOf(positioned.items),
          "a filterless search from a cursor must return the documents after that position",
        ).toContain(document.uuid);
        expect(uuidOfItem(positioned.items[0]!)).toBe(document.uuid);
      },
      spec,
    );

    suite.test(
      group,
      "invalid queries are rejected with VALIDATION",
      async ({ open }) => {
        const storage = await open();
        const invalid: unknown[] = [
          { limit: 0 },
          { limit: 1001 },
          { limit: 1.5 },
          { tel: "" },
          { tel: 5 },
          { since: "yesterday" },
          { cursor: "not a cursor" },
          { unknownFilter: "x" },
        ];
        for (const query of invalid) {
          await expectStorageError(() => storage.search(query as never), "VALIDATION");
        }
      },
      spec,
    );

    suite.test(
      group,
      "search rejects with NOT_SUPPORTED when the capability is not declared",
      async ({ open }) => {
        const storage = await open();
        await expectStorageError(() => storage.search({ tel: uniqueTel() }), "NOT_SUPPORTED");
      },
      { requiresMissing: "search" },
    );
  });
}

/** Every document under the scope tel. */
async function collectScope(storage: Parameters<typeof searchAll>[0], tel: string): Promise<Vcon[]> {
  return (await searchAll(storage, { tel, limit: 1000 })).flat() as Vcon[];
}
