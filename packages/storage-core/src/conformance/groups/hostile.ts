import { describe, expect } from "vitest";
import type { VconDocument } from "../../types.js";
import { expectStorageError, expectStoredIdenticallyOrRejected } from "../assertions.js";
import type { SuiteContext } from "../context.js";
import { externalRecordingCall, randomVconUuid, searchableVcon, uniqueTel } from "../fixtures.js";

/** A document nested `levels` deep in `nested`. */
function deeplyNested(uuid: string, levels: number): Record<string, unknown> {
  let inner: unknown = "bottom";
  for (let level = 0; level < levels; level++) inner = { nested: inner };
  return { uuid, nested: inner };
}

export function hostileGroup(suite: SuiteContext): void {
  const group = "hostile input";
  describe(group, () => {
    suite.test(group, "rejects what is not a JSON object with VALIDATION", async ({ open }) => {
      const storage = await open();
      const notObjects: unknown[] = [
        42,
        true,
        null,
        undefined,
        [],
        [externalRecordingCall(randomVconUuid())],
        "[]",
        "null",
        "7",
      ];
      for (const value of notObjects) {
        await expectStorageError(() => storage.save(value as VconDocument), "VALIDATION");
      }
    });

    suite.test(
      group,
      "rejects a missing or malformed uuid with VALIDATION, writing nothing",
      async ({ open }) => {
        const storage = await open();
        const tel = uniqueTel();
        const malformed: unknown[] = [
          undefined,
          null,
          "",
          "not-a-uuid",
          42,
          "0190f1c2-8a3b-7cde-9f01",
          `${randomVconUuid()}x`,
          "{abc}",
        ];
        for (const uuid of malformed) {
          const document = { ...searchableVcon("", { tel }), uuid };
          if (uuid === undefined) delete (document as { uuid?: unknown }).uuid;
          await expectStorageError(() => storage.save(document as VconDocument), "VALIDATION");
        }
        if (storage.supports("search")) expect((await storage.search({ tel })).items).toStrictEqual([]);
      },
    );

    suite.test(group, "upper-case and braced uuids are normalised consistently", async ({ open }) => {
      const storage = await open();
      const uuid = randomVconUuid();
      await storage.save(externalRecordingCall(`{${uuid.toUpperCase()}}`));
      const second = externalRecordingCall(uuid.toUpperCase());
      expect(await storage.save(second)).toStrictEqual({ uuid });
      // One document, the latest, under the canonical uuid.
      expect(await storage.get(uuid)).toStrictEqual(second);
      if (storage.supports("exists")) expect(await storage.exists(`{${uuid}}`)).toBe(true);
    });

    suite.test(group, "\\u0000 in values and keys: stored identically or rejected", async ({ open }) => {
      const storage = await open();
      const uuid = randomVconUuid();
      const document = {
        ...externalRecordingCall(uuid),
        note: "before\u0000after",
        "key\u0000with nul": ["\u0000"],
      };
      await expectStoredIdenticallyOrRejected(storage, document, uuid);
      const textUuid = randomVconUuid();
      const text = `{"uuid":"${textUuid}","subject":"nul \\u0000 escaped"}`;
      await expectStoredIdenticallyOrRejected(storage, text, textUuid, JSON.parse(text));
    });

    suite.test(group, "lone surrogates: stored identically or rejected", async ({ open }) => {
      const storage = await open();
      const uuid = randomVconUuid();
      const document = {
        ...externalRecordingCall(uuid),
        high: "a\uD800b",
        low: "\uDC00",
        reversed: "\uDC00\uD800",
      };
      await expectStoredIdenticallyOrRejected(storage, document, uuid);
      // As JSON text the escapes are valid JSON; raw lone surrogates in the text are not well-formed.
      const textUuid = randomVconUuid();
      const escaped = `{"uuid":"${textUuid}","subject":"\\ud800"}`;
      await expectStoredIdenticallyOrRejected(storage, escaped, textUuid, JSON.parse(escaped));
      const rawUuid = randomVconUuid();
      await expectStoredIdenticallyOrRejected(storage, `{"uuid":"${rawUuid}","subject":"\uD800"}`, rawUuid, {
        uuid: rawUuid,
        subject: "\uD800",
      });
    });

    suite.test(
      group,
      "10,000 levels of nesting: rejected with VALIDATION or stored identically",
      async ({ open }) => {
        const storage = await open();
        const uuid = randomVconUuid();
        const document = deeplyNested(uuid, 10_000);
        await expectStoredIdenticallyOrRejected(storage, document, uuid);
        const textUuid = randomVconUuid();
        const text = `{"uuid":"${textUuid}","nested":${"[".repeat(10_000)}${"]".repeat(10_000)}}`;
        await expectStoredIdenticallyOrRejected(storage, text, textUuid);
      },
    );

    suite.test(
      group,
      "circular references are rejected with VALIDATION, nothing written",
      async ({ open }) => {
        const storage = await open();
        const uuid = randomVconUuid();
        const document: Record<string, unknown> = externalRecordingCall(uuid);
        (document.parties as Array<Record<string, unknown>>)[0]!.self = document;
        await expectStorageError(() => storage.save(document as VconDocument), "VALIDATION");
        expect(await storage.get(uuid)).toBeNull();
      },
    );

    suite.test(
      group,
      "values JSON cannot carry are rejected with VALIDATION, nothing written",
      async ({ open }) => {
        const storage = await open();
        const values: Record<string, unknown> = {
          bigint: 10n,
          undefined: undefined,
          function: () => 1,
          symbol: Symbol("s"),
          nan: Number.NaN,
          infinity: Number.POSITIVE_INFINITY,
          date: new Date(0),
          map: new Map(),
          nestedUndefined: [1, undefined, 3],
        };
        for (const [kind, value] of Object.entries(values)) {
          const uuid = randomVconUuid();
          const document = { ...externalRecordingCall(uuid), field: value };
          const error = await expectStorageError(() => storage.save(document as VconDocument), "VALIDATION");
          expect(error.message, kind).toContain("$.field");
          expect(await storage.get(uuid), kind).toBeNull();
        }
      },
    );

    suite.test(group, "keys named __proto__ and constructor are stored as plain data", async ({ open }) => {
      const storage = await open();
      const uuid = randomVconUuid();
      const text = `{"uuid":"${uuid}","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"parties":[{"__proto__":{"isAdmin":true},"name":"x"}]}`;
      const document = JSON.parse(text) as Record<string, unknown>;
      expect(Object.hasOwn(document, "__proto__")).toBe(true);
      for (const input of [document, text]) {
        await expectStoredIdenticallyOrRejected(storage, input, uuid, document);
        const read = (await storage.get(uuid)) as Record<string, unknown> | null;
        if (read !== null) {
          expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
          expect((read as { polluted?: unknown }).polluted).toBeUndefined();
        }
      }
      expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
      expect(({} as { isAdmin?: unknown }).isAdmin).toBeUndefined();
    });

    suite.test(group, "invalid JSON text is rejected with VALIDATION", async ({ open }) => {
      const storage = await open();
      for (const text of ["", "{", '{"uuid":', "{'uuid':'x'}", "not json at all", '{"a":1}{"b":2}']) {
        await expectStorageError(() => storage.save(text), "VALIDATION");
      }
    });
  });
}
