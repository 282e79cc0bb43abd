/**
 * Text fidelity: what `get` (and search and export) hand back is the document as JSON.parse would
 * read what was saved, key order and the sign of zero included. Stores that re-encode JSON (MySQL's
 * JSON type sorts keys; PostgreSQL's jsonb sorts keys and turns -0 into 0) must keep the text.
 */
import { describe, expect } from "vitest";
import type { VconStorage } from "../../storage.js";
import type { VconDocument } from "../../types.js";
import { collect, uuidOfItem } from "../assertions.js";
import type { SuiteContext } from "../context.js";
import { iso, randomInstantMs, randomVconUuid, uniqueTel } from "../fixtures.js";

const KEY_ORDER =
  "keys come back in another order: store the JSON text as given (a text column, not a type that " +
  "re-encodes objects, such as MySQL JSON or PostgreSQL jsonb), and parse it on read";

/** Keys in an order that is neither alphabetical nor by length, at every level. */
function shuffledKeys(uuid: string, tel: string, createdAt: string): Record<string, unknown> {
  return {
    zeta: "last letter first",
    uuid,
    created_at: createdAt,
    b: { y: 1, a: 2, long_key_name_here: 3, c: { z: null, a: [] } },
    "10": "integer-like keys sort first in JS anyway",
    "9": "and ascending",
    parties: [{ tel, name: "Zed Alpha", mailto: "zed@example.com", role: "agent" }],
    alpha: [{ z: 1, a: 2 }],
    Middle: true,
  };
}

/** JSON text and what JSON.parse makes of it: the numbers and escapes a re-encoding store changes. */
function numbersAndEscapes(uuid: string, tel: string, createdAt: string): string {
  return (
    `{"z":-0,"uuid":"${uuid}","created_at":"${createdAt}","one":1.0,"hundred":1e2,"Hundred":1E+2,` +
    `"big":12345678901234567890,"precise":0.1000000000000000055511151231257827,"tiny":-1.5e-300,` +
    `"zeros":[-0.0,0e10,-0e-5],"escapes":"\\u00e9 \\/ \\" \\\\ \\ud83d\\ude00 \\u2028 \\t",` +
    `"parties":[{"tel":"${tel}"}]}`
  );
}

/** Reads `uuid` back through every read path the adapter has. */
async function readPaths(
  storage: VconStorage,
  uuid: string,
  tel: string,
  atMs: number,
): Promise<Array<[string, VconDocument | null | undefined]>> {
  const reads: Array<[string, VconDocument | null | undefined]> = [["get", await storage.get(uuid)]];
  if (storage.supports("search")) reads.push(["search", (await storage.search({ tel })).items[0]]);
  if (storage.supports("export")) {
    const exported = await collect(storage.export({ since: new Date(atMs), until: new Date(atMs + 1) }));
    reads.push(["export", exported.find((document) => uuidOfItem(document) === uuid)]);
  }
  return reads;
}

function negativeZeros(value: unknown, path = "$"): string[] {
  if (Object.is(value, -0)) return [path];
  if (Array.isArray(value)) return value.flatMap((item, index) => negativeZeros(item, `${path}[${index}]`));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => negativeZeros(item, `${path}.${key}`));
  }
  return [];
}

export function fidelityGroup(suite: SuiteContext): void {
  const group = "text fidelity";
  describe(group, () => {
    suite.test(group, "a saved object reads back with the same key order", async ({ open }) => {
      const storage = await open();
      const uuid = randomVconUuid();
      const tel = uniqueTel();
      const at = randomInstantMs();
      const document = shuffledKeys(uuid, tel, iso(at));
      await storage.save(document as VconDocument);
      for (const [path, read] of await readPaths(storage, uuid, tel, at)) {
        expect(read, `${path} finds the document`).toBeDefined();
        expect(JSON.stringify(read), `${path}: ${KEY_ORDER}`).toBe(JSON.stringify(document));
      }
    });

    suite.test(
      group,
      "JSON text with -0, 1.0, 1e2, big integers and escapes reads back as JSON.parse of that text",
      async ({ open }) => {
        const storage = await open();
        const uuid = randomVconUuid();
        const tel = uniqueTel();
        const at = randomInstantMs();
        const text = numbersAndEscapes(uuid, tel, iso(at));
        const expected = JSON.parse(text) as VconDocument;
        await storage.save(text);
        for (const [path, read] of await readPaths(storage, uuid, tel, at)) {
          expect(read, `${path} finds the document`).toBeDefined();
          expect(
            negativeZeros(read),
            `${path}: -0 must read back as -0 (as JSON.parse reads it): keep the JSON text, not a numeric type`,
          ).toStrictEqual(negativeZeros(expected));
          expect(read, `${path}: reads back as JSON.parse of the saved text`).toStrictEqual(expected);
          expect(JSON.stringify(read), `${path}: ${KEY_ORDER}`).toBe(JSON.stringify(expected));
        }
      },
    );
  });
}
