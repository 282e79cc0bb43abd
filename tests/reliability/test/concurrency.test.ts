/**
 * Racing writers: last-writer-wins upserts never fail or duplicate a row, and deletes are never undone.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { allDocuments, BACKENDS, useStorage } from "../src/backends.js";
import { smallVcon } from "../src/vcons.js";

describe.each(BACKENDS)("concurrency on $label", (backend) => {
  const storage = useStorage(backend);

  it("64 concurrent saves of one uuid: all resolve, one row, holding one of the 64 bodies", async () => {
    for (let round = 0; round < 3; round++) {
      const uuid = randomUUID();
      const bodies = Array.from({ length: 64 }, (_, i) => smallVcon(uuid, `body ${i}`));
      const outcomes = await Promise.allSettled(bodies.map((body) => storage().save(body)));
      expect(outcomes.filter((o) => o.status === "rejected")).toEqual([]);
      const rows = (await allDocuments(storage())).filter((d) => d.uuid === uuid);
      expect(rows).toHaveLength(1);
      expect(bodies.map((b) => b.subject)).toContain(rows[0]?.subject);
      expect((await storage().get(uuid))?.subject).toBe(rows[0]?.subject);
    }
  });

  it("64 concurrent saveMany batches sharing uuids: all resolve, one row per uuid", async () => {
    const uuids: string[] = Array.from({ length: 20 }, () => randomUUID());
    const batches = Array.from({ length: 64 }, (_, b) =>
      // Each batch writes every uuid in its own order, so row locks are taken in clashing orders.
      (b % 2 === 0 ? uuids : [...uuids].reverse()).map((u) => smallVcon(u, `batch ${b}`)),
    );
    const outcomes = await Promise.allSettled(batches.map((batch) => storage().saveMany(batch)));
    expect(outcomes.filter((o) => o.status === "rejected")).toEqual([]);
    const rows = (await allDocuments(storage())).filter((d) => uuids.includes(String(d.uuid)));
    expect(rows).toHaveLength(uuids.length);
  });

  it("a delete issued after a save resolved always wins; racing pairs end in a serial outcome", async () => {
    const rounds = 100;
    await Promise.all(
      Array.from({ length: rounds }, async (_, i) => {
        const uuid = randomUUID();
        await storage().save(smallVcon(uuid, "old"));
        // Racing: a new body against a delete. Either order is serial; the old body is not.
        const [, deleted] = await Promise.all([
          storage().save(smallVcon(uuid, "new")),
          storage().delete(uuid),
        ]);
        expect(deleted).toBe(true);
        const afterRace = await storage().get(uuid);
        expect([null, "new"]).toContain(afterRace?.subject ?? null);
        expect(await storage().exists(uuid)).toBe(afterRace !== null);
        // Ordered: a delete that starts after the save resolved leaves nothing, now and later.
        if (i % 2 === 0) await storage().save(smallVcon(uuid, "again"));
        await storage().delete(uuid);
        expect(await storage().get(uuid)).toBeNull();
      }),
    );
    // Nothing comes back once every call has settled (no late retry resurrects a row).
    const left = await allDocuments(storage());
    expect(left.filter((d) => ["old", "new", "again"].includes(String(d.subject)))).toEqual([]);
  });
});
