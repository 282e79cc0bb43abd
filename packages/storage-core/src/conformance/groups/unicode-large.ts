import { randomBytes } from "node:crypto";
import { describe, expect } from "vitest";
import { DEFAULT_LIMITS } from "../../document.js";
import { expectStorageError } from "../assertions.js";
import type { SuiteContext } from "../context.js";
import {
  externalRecordingCall,
  randomVconUuid,
  searchableVcon,
  uniqueTel,
  uniqueToken,
} from "../fixtures.js";

/** Text that breaks naive encodings: astral plane, combining marks, RTL, joiners, both normal forms. */
export const TRICKY_TEXT = {
  astral: "𝄞 music, 😀 face, 𠜎 CJK ext B, 🏳️‍🌈 flag",
  combining: "e\u0301 (decomposed) vs \u00e9 (composed); Zalgo: Z\u0351\u0310a\u0336l\u0352g\u0300o\u0358",
  rtl: "שלום עולם \u202Eevil\u202C مرحبا بالعالم",
  joiners: "👩‍👩‍👧‍👦 zero\u200Bwidth\u200Djoiner\uFEFF",
  nfdName: "Zoe\u0308 Mu\u0308ller",
  nfcName: "Zo\u00eb M\u00fcller",
} as const;

/** JSON text of exactly `bytes` UTF-8 bytes for `uuid`. */
function documentOfBytes(uuid: string, bytes: number): string {
  const head = `{"uuid":"${uuid}","pad":"`;
  const tail = '"}';
  return `${head}${"x".repeat(bytes - head.length - tail.length)}${tail}`;
}

export function unicodeLargeGroup(suite: SuiteContext): void {
  const group = "unicode and large documents";
  describe(group, () => {
    suite.test(group, "unicode in keys and values round-trips code unit for code unit", async ({ open }) => {
      const storage = await open();
      const uuid = randomVconUuid();
      const document = {
        ...externalRecordingCall(uuid),
        subject: TRICKY_TEXT.rtl,
        [TRICKY_TEXT.astral]: TRICKY_TEXT.combining,
        unicode: { ...TRICKY_TEXT },
      };
      document.parties![0]!.name = TRICKY_TEXT.nfdName;
      document.parties![1]!.name = TRICKY_TEXT.nfcName;
      await storage.save(document);
      const read = await storage.get(uuid);
      expect(read).toStrictEqual(document);
      // Not normalised: the decomposed name keeps its combining marks.
      expect((read as typeof document).parties![0]!.name).toBe(TRICKY_TEXT.nfdName);
    });

    suite.test(
      group,
      "search matches unicode names without normalising them",
      async ({ open }) => {
        const storage = await open();
        const tel = uniqueTel();
        const decomposed = searchableVcon(randomVconUuid(), {
          tel,
          name: `${TRICKY_TEXT.nfdName} ${uniqueToken()}`,
        });
        const composed = searchableVcon(randomVconUuid(), {
          tel,
          name: `${TRICKY_TEXT.nfcName} 😀 ${uniqueToken()}`,
        });
        await storage.save(decomposed);
        await storage.save(composed);
        expect((await storage.search({ tel, name: "zoe\u0308" })).items).toStrictEqual([decomposed]);
        expect((await storage.search({ tel, name: "zo\u00eb" })).items).toStrictEqual([composed]);
        expect((await storage.search({ tel, name: "😀" })).items).toStrictEqual([composed]);
      },
      { requires: "search" },
    );

    suite.test(
      group,
      "a large document (several MB of base64url dialog) round-trips",
      async ({ open, options, probe }) => {
        const storage = await open();
        const uuid = randomVconUuid();
        const document = externalRecordingCall(uuid);
        const recording = {
          type: "recording",
          start: "2023-04-11T18:20:51.123Z",
          duration: 3600,
          parties: [0, 1],
          mediatype: "audio/x-wav",
          encoding: "base64url",
          body: "",
        };
        document.dialog = [recording];
        // Within a declared maxDocumentBytes: the tests below check the limit itself.
        const room =
          (probe.maxDocumentBytes ?? Number.POSITIVE_INFINITY) - Buffer.byteLength(JSON.stringify(document));
        const bodyChars = Math.min(options.largeDocumentBytes, room);
        recording.body = randomBytes(Math.ceil((bodyChars * 3) / 4))
          .toString("base64url")
          .slice(0, bodyChars);
        await storage.save(document);
        const read = await storage.get(uuid);
        // Compare the body on its own first: a mismatch report of several MB helps no one.
        expect(
          (read as typeof document).dialog![0]!.body === document.dialog[0]!.body,
          "body identical",
        ).toBe(true);
        expect(read).toStrictEqual(document);
      },
      { timeoutMs: 120_000 },
    );

    suite.test(
      group,
      "a document of exactly the declared maxDocumentBytes round-trips",
      async ({ open, probe, skip }) => {
        if (probe.maxDocumentBytes === undefined) skip("the adapter declares no maxDocumentBytes");
        const limit = Math.min(probe.maxDocumentBytes!, DEFAULT_LIMITS.maxDocumentBytes);
        const storage = await open();
        const uuid = randomVconUuid();
        const text = documentOfBytes(uuid, limit);
        expect(Buffer.byteLength(text)).toBe(limit);
        await storage.save(text);
        const read = await storage.get(uuid);
        expect(
          JSON.stringify(read) === text,
          `a document of exactly maxDocumentBytes (${limit} bytes) did not round-trip: declare the limit the backend really holds`,
        ).toBe(true);
      },
      { timeoutMs: 120_000 },
    );

    suite.test(
      group,
      "a document one byte over the declared maxDocumentBytes is refused with VALIDATION, nothing written",
      async ({ open, probe, skip }) => {
        if (probe.maxDocumentBytes === undefined) skip("the adapter declares no maxDocumentBytes");
        const limit = Math.min(probe.maxDocumentBytes!, DEFAULT_LIMITS.maxDocumentBytes);
        const storage = await open();
        const uuid = randomVconUuid();
        const error = await expectStorageError(
          () => storage.save(documentOfBytes(uuid, limit + 1)),
          "VALIDATION",
        );
        expect(error.message, "the message names the limit").toContain(String(limit));
        expect(await storage.get(uuid)).toBeNull();
        if (storage.supports("saveMany")) {
          await expectStorageError(() => storage.saveMany([documentOfBytes(uuid, limit + 1)]), "VALIDATION");
          expect(await storage.get(uuid)).toBeNull();
        }
      },
      { timeoutMs: 120_000 },
    );

    suite.test(
      group,
      `a 64 MB document is rejected with VALIDATION (limit ${DEFAULT_LIMITS.maxDocumentBytes} bytes), nothing written`,
      async ({ open }) => {
        const storage = await open();
        const uuid = randomVconUuid();
        const document = externalRecordingCall(uuid);
        document.attachments = [{ type: "blob", encoding: "base64url", body: "A".repeat(64 * 1024 * 1024) }];
        const error = await expectStorageError(() => storage.save(document), "VALIDATION");
        expect(error.message).toMatch(/limit/);
        expect(await storage.get(uuid)).toBeNull();
      },
      { timeoutMs: 120_000 },
    );
  });
}
