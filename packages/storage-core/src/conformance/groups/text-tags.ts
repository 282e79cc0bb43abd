/**
 * Text and tag search: what `vconSearchText` and `vconTags` define, matched exactly as core's reference
 * (`matchesText`, `matchesTags`). Every expectation of a trap is computed by the reference itself, so
 * the suite and core can never disagree.
 */
import { describe, expect } from "vitest";
import { vconUuidOf } from "../../document.js";
import { matchesText } from "../../search-text.js";
import type { SignedVcon, Vcon } from "../../types.js";
import { expectStorageError, searchAll } from "../assertions.js";
import type { SuiteContext } from "../context.js";
import { iso, randomInstantMs, randomVconUuid, uniqueTel, uniqueToken } from "../fixtures.js";

/** The uuids of returned documents, in order, whatever their form (signed ones included). */
const uuidsOf = (items: readonly unknown[]) => items.map((item) => vconUuidOf(item));

/** A vCon whose searchable text is exactly what `fields` gives, plus text that must never match. */
function textVcon(
  uuid: string,
  fields: { subject?: string; name?: string; dialog?: string; analysis?: string; tel?: string; at?: string },
): Vcon {
  return {
    uuid,
    ...(fields.at !== undefined ? { created_at: fields.at } : {}),
    ...(fields.subject !== undefined ? { subject: fields.subject } : {}),
    parties: [{ ...(fields.tel !== undefined ? { tel: fields.tel } : {}), name: fields.name ?? "Party" }],
    dialog: fields.dialog === undefined ? [] : [{ type: "text", body: fields.dialog, parties: [0] }],
    analysis:
      fields.analysis === undefined ? [] : [{ type: "summary", body: fields.analysis, encoding: "none" }],
  };
}

function taggedVcon(uuid: string, tags: string[], extra: Partial<Vcon> = {}): Vcon {
  return {
    uuid,
    parties: [{ name: "Tagged" }],
    attachments: [{ purpose: "tags", encoding: "json", body: JSON.stringify(tags) }],
    ...extra,
  };
}

function signed(document: Vcon): SignedVcon {
  return {
    payload: Buffer.from(JSON.stringify(document), "utf8").toString("base64url"),
    signatures: [{ header: { alg: "none", uuid: document.uuid }, signature: "" }],
  };
}

/** Stored text and a query over it where case folding, normalisation or encoding tempt an adapter. */
const TEXT_TRAPS: ReadonlyArray<readonly [stored: string, query: string]> = [
  ["caf\u00e9 order", "cafe\u0301 order"], // NFC stored, NFD asked: different code units
  ["cafe\u0301 order", "caf\u00e9 order"],
  ["caf\u00e9 order", "cafe order"], // accents are not folded
  ["STRASSE sign", "stra\u00dfe sign"], // no full case folding: ß is not ss
  ["stra\u00dfe sign", "strasse sign"],
  ["\u0130stanbul office", "i\u0307stanbul office"], // JS lower-cases İ to i + combining dot
  ["\u0130stanbul office", "istanbul office"],
  ["\u039f\u0394\u039f\u03a3 road", "\u03bf\u03b4\u03bf\u03c3 road"], // final sigma
  ["\u039f\u0394\u039f\u03a3 road", "\u03bf\u03b4\u03bf\u03c2 road"],
  ["full\uff37idth", "fullwidth"], // full-width letters stay themselves
  ["trailing space ", "trailing space  "], // no PAD SPACE: one trailing space is not two
  ["\u{1d49c}\u{1d4b7}\u{1d4b8} astral", "\u{1d4b7}\u{1d4b8} astral"], // astral plane, as code units
  ["\u{1f600}\u{1f601} faces", "\u{1f601} faces"],
];

export function textTagsGroup(suite: SuiteContext): void {
  const group = "text and tag search";
  describe(group, () => {
    const textSpec = { requires: "searchText" } as const;
    const tagSpec = { requires: "searchTags" } as const;

    suite.test(
      group,
      "text matches a case-insensitive substring of the subject, a party name, a text dialog or an analysis body",
      async ({ open }) => {
        const storage = await open();
        const token = uniqueToken();
        const places = {
          subject: textVcon(randomVconUuid(), { subject: `Re: ${token.toUpperCase()} refund` }),
          name: textVcon(randomVconUuid(), { name: `Dr ${token} Smith` }),
          dialog: textVcon(randomVconUuid(), { dialog: `I would like ${token} back` }),
          analysis: textVcon(randomVconUuid(), { analysis: `Customer asked about ${token}` }),
        };
        for (const vcon of Object.values(places)) await storage.save(vcon);
        const found = uuidsOf((await searchAll(storage, { text: token })).flat()).sort();
        expect(
          found,
          "every place vconSearchText names (subject, party name, text dialog, analysis) must be searched",
        ).toStrictEqual(
          Object.values(places)
            .map((v) => v.uuid)
            .sort(),
        );
      },
      textSpec,
    );

    suite.test(
      group,
      "text ignores what is not searchable text: encoded dialogs, recordings, attachments, tel, keys of json analysis",
      async ({ open }) => {
        const storage = await open();
        const token = uniqueToken();
        const hidden: Vcon = {
          uuid: randomVconUuid(),
          parties: [{ tel: `+1${token}`, name: "Nobody" }],
          dialog: [
            { type: "text", body: token, encoding: "base64url" },
            { type: "recording", body: token, encoding: "none" },
          ],
          analysis: [
            { type: "blob", body: token, encoding: "base64url" },
            { type: "labels", encoding: "json", body: JSON.stringify({ [token]: "value only" }) },
          ],
          attachments: [{ type: "note", body: token, encoding: "none" }],
        };
        const jsonValue: Vcon = {
          uuid: randomVconUuid(),
          analysis: [
            { type: "labels", encoding: "json", body: JSON.stringify({ k: [{ deep: `x${token}x` }] }) },
          ],
        };
        await storage.save(hidden);
        await storage.save(jsonValue);
        expect(
          uuidsOf((await storage.search({ text: token })).items),
          "only the string values of a json-encoded analysis body are text; nothing else here is",
        ).toStrictEqual([jsonValue.uuid]);
      },
      textSpec,
    );

    suite.test(
      group,
      "a text match never spans two pieces of text",
      async ({ open }) => {
        const storage = await open();
        const [left, right] = [uniqueToken(), uniqueToken()];
        const vcon = textVcon(randomVconUuid(), { subject: `a ${left}`, name: `${right} b` });
        await storage.save(vcon);
        expect(uuidsOf((await storage.search({ text: left })).items)).toStrictEqual([vcon.uuid]);
        for (const joined of [
          `${left}${right}`,
          `${left} ${right}`,
          `${left}\n${right}`,
          `${left}\t${right}`,
        ]) {
          expect(
            (await storage.search({ text: joined })).items,
            `"${JSON.stringify(joined)}" joins the end of the subject and the start of a name: no match`,
          ).toStrictEqual([]);
        }
      },
      textSpec,
    );

    suite.test(
      group,
      "text compares code units after JS toLowerCase: no normalisation, accent or full case folding, no padding",
      async ({ open }) => {
        const storage = await open();
        for (const [stored, query] of TEXT_TRAPS) {
          const token = uniqueToken();
          const uuid = randomVconUuid();
          await storage.save(textVcon(uuid, { subject: `${token} ${stored}` }));
          const expected = matchesText([`${token} ${stored}`], `${token} ${query}`.toLowerCase());
          const found = uuidsOf((await storage.search({ text: `${token} ${query}` })).items);
          expect(
            found,
            `stored ${JSON.stringify(stored)}, searched ${JSON.stringify(query)}: core's reference says ${expected ? "match" : "no match"}`,
          ).toStrictEqual(expected ? [uuid] : []);
        }
      },
      { ...textSpec, timeoutMs: 60_000 },
    );

    suite.test(
      group,
      "text of a signed vCon is its payload's; an encrypted vCon has none",
      async ({ open }) => {
        const storage = await open();
        const token = uniqueToken();
        const inner = textVcon(randomVconUuid(), { dialog: `signed words ${token}` });
        await storage.save(signed(inner));
        await storage.save({
          ciphertext: Buffer.from(token).toString("base64url"),
          unprotected: { uuid: randomVconUuid() },
          protected: "e30",
          iv: "AA",
          tag: "AA",
          recipients: [],
        });
        expect(uuidsOf((await storage.search({ text: token })).items)).toStrictEqual([inner.uuid]);
      },
      textSpec,
    );

    suite.test(
      group,
      "text removed by an update no longer matches, and new text does",
      async ({ open }) => {
        const storage = await open();
        const [before, after] = [uniqueToken(), uniqueToken()];
        const uuid = randomVconUuid();
        await storage.save(textVcon(uuid, { dialog: `first ${before}`, analysis: `summary ${before}` }));
        await storage.save(textVcon(uuid, { dialog: `second ${after}` }));
        expect(
          (await storage.search({ text: before })).items,
          "an update must replace the stored search text, not add to it",
        ).toStrictEqual([]);
        expect(uuidsOf((await storage.search({ text: after })).items)).toStrictEqual([uuid]);
      },
      textSpec,
    );

    suite.test(
      group,
      "text combines with the other filters and pages in (created_at, uuid) order",
      async ({ open }) => {
        const storage = await open();
        const token = uniqueToken();
        const tel = uniqueTel();
        const at = randomInstantMs();
        const expected: string[] = [];
        for (let i = 0; i < 5; i++) {
          const uuid = randomVconUuid();
          expected.push(uuid);
          await storage.save(textVcon(uuid, { dialog: `call ${token} ${i}`, tel, at: iso(at + i) }));
        }
        await storage.save(
          textVcon(randomVconUuid(), { dialog: `call ${token}`, tel: uniqueTel(), at: iso(at) }),
        );
        await storage.save(textVcon(randomVconUuid(), { dialog: "unrelated", tel, at: iso(at) }));
        const pages = await searchAll(storage, { text: token, tel, limit: 2 });
        expect(pages.map((page) => page.length)).toStrictEqual([2, 2, 1]);
        expect(uuidsOf(pages.flat())).toStrictEqual(expected);
        const window = await storage.search({ text: token, tel, since: iso(at + 1), until: iso(at + 3) });
        expect(uuidsOf(window.items)).toStrictEqual(expected.slice(1, 3));
        expect((await storage.search({ text: token, subject: "nothing like it" })).items).toStrictEqual([]);
      },
      textSpec,
    );

    suite.test(
      group,
      "text shorter than 3 characters is VALIDATION",
      async ({ open }) => {
        const storage = await open();
        await expectStorageError(() => storage.search({ text: "ab" }), "VALIDATION");
      },
      textSpec,
    );

    suite.test(
      group,
      "tag matches key:value exactly and a bare key matches any value of that key",
      async ({ open }) => {
        const storage = await open();
        const key = `k${uniqueToken()}`;
        const acme = randomVconUuid();
        const globex = randomVconUuid();
        const bare = randomVconUuid();
        await storage.save(taggedVcon(acme, [`${key}:acme`, "vip"]));
        await storage.save(taggedVcon(globex, [`${key}:globex`]));
        await storage.save(taggedVcon(bare, [key]));
        await storage.save(
          taggedVcon(randomVconUuid(), [`${key}x:acme`, `x${key}`, `${key.toUpperCase()}:acme`]),
        );
        expect(uuidsOf((await storage.search({ tag: `${key}:acme` })).items)).toStrictEqual([acme]);
        expect(uuidsOf((await storage.search({ tag: key })).items).sort()).toStrictEqual(
          [acme, globex, bare].sort(),
        );
        expect((await storage.search({ tag: `${key}:Acme` })).items, "tags are case-sensitive").toStrictEqual(
          [],
        );
        expect((await storage.search({ tag: `${key}:acm` })).items, "tags are not substrings").toStrictEqual(
          [],
        );
      },
      tagSpec,
    );

    suite.test(
      group,
      "several tags must all be present, and tags combine with text and party filters",
      async ({ open }) => {
        const storage = await open();
        const key = `k${uniqueToken()}`;
        const tel = uniqueTel();
        const both = randomVconUuid();
        await storage.save(
          taggedVcon(both, [`${key}:a`, `${key}-b`], {
            parties: [{ tel, name: "Tagged" }],
            subject: `about ${key}`,
          }),
        );
        await storage.save(taggedVcon(randomVconUuid(), [`${key}:a`], { parties: [{ tel }] }));
        await storage.save(taggedVcon(randomVconUuid(), [`${key}-b`], { parties: [{ tel }] }));
        expect(uuidsOf((await storage.search({ tag: [`${key}:a`, `${key}-b`] })).items)).toStrictEqual([
          both,
        ]);
        expect(uuidsOf((await storage.search({ tag: [`${key}:a`, `${key}-b`], tel })).items)).toStrictEqual([
          both,
        ]);
        expect(
          (await storage.search({ tag: [`${key}:a`, `${key}-b`], tel: uniqueTel() })).items,
        ).toStrictEqual([]);
        if (storage.supports("searchText")) {
          expect(
            uuidsOf((await storage.search({ tag: `${key}:a`, text: `about ${key}` })).items),
          ).toStrictEqual([both]);
        }
      },
      tagSpec,
    );

    suite.test(
      group,
      "tags come from the tags attachment only: json-encoded or inline body, purpose or legacy type",
      async ({ open }) => {
        const storage = await open();
        const key = `k${uniqueToken()}`;
        const encoded = randomVconUuid();
        const inline = randomVconUuid();
        await storage.save(taggedVcon(encoded, [`${key}:1`]));
        await storage.save({
          uuid: inline,
          attachments: [{ type: "tags", body: [`${key}:1`] }],
        } as unknown as Vcon);
        await storage.save({
          uuid: randomVconUuid(),
          attachments: [
            { purpose: "notes", encoding: "json", body: JSON.stringify([`${key}:1`]) },
            { purpose: "tags", encoding: "none", body: `${key}:1` },
          ],
        });
        expect(uuidsOf((await storage.search({ tag: `${key}:1` })).items).sort()).toStrictEqual(
          [encoded, inline].sort(),
        );
      },
      tagSpec,
    );

    suite.test(
      group,
      "tags removed by an update no longer match; a signed vCon's tags are its payload's",
      async ({ open }) => {
        const storage = await open();
        const key = `k${uniqueToken()}`;
        const uuid = randomVconUuid();
        await storage.save(taggedVcon(uuid, [`${key}:old`]));
        await storage.save(taggedVcon(uuid, [`${key}:new`]));
        expect((await storage.search({ tag: `${key}:old` })).items).toStrictEqual([]);
        expect(uuidsOf((await storage.search({ tag: `${key}:new` })).items)).toStrictEqual([uuid]);
        const signedUuid = randomVconUuid();
        await storage.save(signed(taggedVcon(signedUuid, [`${key}:signed`])));
        expect(uuidsOf((await storage.search({ tag: `${key}:signed` })).items)).toStrictEqual([signedUuid]);
      },
      tagSpec,
    );

    suite.test(
      group,
      "text search is NOT_SUPPORTED when the adapter does not declare searchText",
      async ({ open }) => {
        const storage = await open();
        await expectStorageError(() => storage.search({ text: "refund" }), "NOT_SUPPORTED");
      },
      { requiresMissing: "searchText" },
    );

    suite.test(
      group,
      "tag search is NOT_SUPPORTED when the adapter does not declare searchTags",
      async ({ open }) => {
        const storage = await open();
        await expectStorageError(() => storage.search({ tag: "vip" }), "NOT_SUPPORTED");
      },
      { requiresMissing: "searchTags" },
    );
  });
}
