/**
 * Hostile input against the SQL adapters' own traps: bind parameters only (no injection through filters
 * or values), search keys kept exact for NUL, lone surrogates and astral characters, and odd party
 * fields that must be stored but never crash the key extraction. Shared by the mysql and sqlite files.
 */
import { randomUUID } from "node:crypto";
import type { VconStorage } from "@vcon/storage-core";
import { expect, it } from "vitest";
import { allDocuments } from "../src/backends.js";
import { rejectsWith, storedIdenticallyOrRejected } from "../src/outcome.js";
import { smallVcon } from "../src/vcons.js";

export function sqlHostileInputTests(storage: () => VconStorage): void {
  it("filters are bind parameters: injection text, %, _ and \\ match literally and leave the tables intact", async () => {
    const uuid = randomUUID();
    await storage().save({
      ...smallVcon(uuid, "plain subject"),
      parties: [{ tel: "+15550001", name: "Plain" }],
    });
    for (const hostile of [
      "' OR 1=1 --",
      '"; DROP TABLE vcons; --',
      "%",
      "_",
      "\\",
      "%' OR '1'='1",
      "\u0000",
    ]) {
      for (const field of ["tel", "mailto", "name", "subject", "text"] as const) {
        if (field === "text" && hostile.length < 3) continue;
        const page = await storage().search({ [field]: hostile });
        expect(
          page.items.map((v) => v.uuid),
          `${field} ${JSON.stringify(hostile)}`,
        ).not.toContain(uuid);
      }
    }
    expect(await storage().exists(uuid)).toBe(true);
    const marked = randomUUID();
    await storage().save({
      ...smallVcon(marked, "100%_done \\ ' OR 1=1 --"),
      parties: [{ name: "50%_off" }],
    });
    expect(
      (await storage().search({ subject: "%_done \\ ' or 1=1" })).items.map((v) => v.uuid),
    ).toStrictEqual([marked]);
    expect((await storage().search({ name: "%_" })).items.map((v) => v.uuid)).toStrictEqual([marked]);
  });

  it("NUL, lone surrogates and astral characters are stored identically and found exactly", async () => {
    const uuid = randomUUID();
    const vcon = {
      ...smallVcon(uuid, "nul\u0000 lone \ud800 astral 😀"),
      parties: [{ tel: "+1\u00002", name: "A\udfffda", mailto: "X\u0000@Example.com" }],
      "key\u0000": "v\ud83d",
    };
    expect(await storedIdenticallyOrRejected(storage(), vcon, uuid)).toBe("stored");
    const found = async (query: Record<string, string>) =>
      (await storage().search(query)).items.map((v) => v.uuid);
    expect(await found({ tel: "+1\u00002" })).toStrictEqual([uuid]);
    expect(await found({ tel: "+1\ufffd2" })).toStrictEqual([]);
    expect(await found({ name: "\udfff" })).toStrictEqual([uuid]);
    expect(await found({ name: "\ufffd" })).toStrictEqual([]);
    expect(await found({ mailto: "x\u0000@example.COM" })).toStrictEqual([uuid]);
    expect(await found({ subject: "\ud83d" })).toStrictEqual([uuid]);
    expect(await found({ subject: "\ud800 astral" })).toStrictEqual([uuid]);
  });

  it("party fields of the wrong type are stored and simply not searchable", async () => {
    const uuid = randomUUID();
    const vcon = {
      ...smallVcon(uuid, 7 as never),
      parties: [{ tel: 15550001, name: { first: "x" } }, null, "str", []],
    };
    expect(await storedIdenticallyOrRejected(storage(), vcon as never, uuid)).toBe("stored");
    expect((await storage().search({ tel: "15550001" })).items).toStrictEqual([]);
  });

  it("a thousand parties and a 1 MB subject are indexed: the last party and the subject's tail are found", async () => {
    const uuid = randomUUID();
    const parties = Array.from({ length: 1000 }, (_, i) => ({ tel: `+1999${i}`, name: `Party ${i}` }));
    const subject = `${"long ".repeat(200_000)}needle-${uuid}`;
    await storage().save({ ...smallVcon(uuid, subject), parties });
    expect((await storage().search({ tel: "+1999999" })).items.map((v) => v.uuid)).toStrictEqual([uuid]);
    expect((await storage().search({ name: "party 999" })).items.map((v) => v.uuid)).toStrictEqual([uuid]);
    expect((await storage().search({ subject: `needle-${uuid}` })).items.map((v) => v.uuid)).toStrictEqual([
      uuid,
    ]);
  });

  it("a batch holding one bad document writes none of the good ones, keys included", async () => {
    const tel = `+1777${Date.now()}`;
    const good = [smallVcon(), smallVcon()].map((v) => ({ ...v, parties: [{ tel }] }));
    await rejectsWith("VALIDATION", () =>
      storage().saveMany([...good, { ...smallVcon(), n: Number.NaN }] as never),
    );
    for (const vcon of good) expect(await storage().exists(vcon.uuid as string)).toBe(false);
    expect((await storage().search({ tel })).items).toStrictEqual([]);
  });

  it("10,000 levels of nesting are VALIDATION and write nothing", async () => {
    const before = (await allDocuments(storage())).length;
    const uuid = randomUUID();
    const text = `{"uuid":"${uuid}","deep":${"[".repeat(10_000)}${"]".repeat(10_000)}}`;
    await rejectsWith("VALIDATION", () => storage().save(text));
    expect((await allDocuments(storage())).length).toBe(before);
  });

  it("keys named __proto__ and constructor are plain data", async () => {
    const uuid = randomUUID();
    await storage().save(
      `{"uuid":"${uuid}","__proto__":{"polluted":true},"parties":[{"__proto__":{"tel":"+1"},"name":"p"}]}`,
    );
    const read = (await storage().get(uuid)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(read, "__proto__")?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
}
