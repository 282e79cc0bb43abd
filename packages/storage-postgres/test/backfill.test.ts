import { fromAdapter, type Vcon } from "@vcon/storage-core";
import { createTestDatabase, sqlRows, type TestDatabase } from "@vcon/test-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli-main.js";
import { PostgresAdapter } from "../src/index.js";
import { PYTHON_TABLE_DDL, sampleVcon } from "./helpers.js";

/**
 * Rows without search keys: in a table vcon-server's Python module made (and keeps writing), or from
 * before the keys existed. Search finds them (core's matcher decides them), backfill keys them, and a
 * document the Python module rewrites loses its stale keys.
 */
describe("rows without search keys", () => {
  let database: TestDatabase;
  let adapter: PostgresAdapter;
  const legacy: Vcon[] = Array.from({ length: 5 }, (_, i) =>
    sampleVcon({
      subject: `Legacy call ${i}`,
      parties: [{ tel: `+1444000000${i}`, name: `\u0130lker ${i}`, mailto: `Old${i}@Example.com` }],
      attachments: [{ purpose: "tags", encoding: "json", body: JSON.stringify([`batch:${i % 2}`]) }],
    }),
  );
  /** As the Python module writes a row: the document in vcon_json, no key columns. */
  const pythonWrite = (vcon: Vcon) =>
    sqlRows(
      database.url,
      `INSERT INTO vcons (id, vcon, uuid, created_at, vcon_json, subject) VALUES ($1, '0.0.1', $1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET vcon_json = EXCLUDED.vcon_json, subject = EXCLUDED.subject`,
      [vcon.uuid, vcon.created_at, JSON.stringify(vcon), vcon.subject],
    );
  const found = async (query: Parameters<ReturnType<typeof fromAdapter>["search"]>[0]) =>
    (await fromAdapter(adapter).search(query)).items.map((item) => item.uuid).sort();
  const unkeyed = async () =>
    Number(
      (
        await sqlRows<{ n: string }>(database.url, "SELECT count(*) AS n FROM vcons WHERE keyed_at IS NULL")
      )[0]!.n,
    );

  beforeAll(async () => {
    database = await createTestDatabase("backfill");
    await sqlRows(database.url, PYTHON_TABLE_DDL);
    for (const vcon of legacy) await pythonWrite(vcon);
    adapter = await PostgresAdapter.connect({ url: database.url });
  });
  afterAll(async () => {
    await adapter?.close();
    await database?.drop();
  });

  it("are found by every filter before any backfill, with core's semantics", async () => {
    expect(await unkeyed()).toBe(5);
    expect(await found({ tel: "+14440000002" })).toEqual([legacy[2]!.uuid]);
    expect(await found({ mailto: "old3@example.com" })).toEqual([legacy[3]!.uuid]);
    // JS lower-cases İ to "i̇" (i + U+0307): core's rule, not PostgreSQL's lower().
    expect(await found({ name: "i\u0307lker 4" })).toEqual([legacy[4]!.uuid]);
    expect(await found({ subject: "legacy call 1" })).toEqual([legacy[1]!.uuid]);
    expect(await found({ text: "legacy call 0" })).toEqual([legacy[0]!.uuid]);
    expect(await found({ tag: "batch:1" })).toEqual([legacy[1]!.uuid, legacy[3]!.uuid].sort());
    expect(await found({ tel: "+14440000009" })).toEqual([]);
  });

  it("backfill keys them in batches of short statements, then the same searches answer the same", async () => {
    const progress: number[] = [];
    const result = await adapter.backfill({ batchSize: 2, onProgress: ({ keyed }) => progress.push(keyed) });
    expect(result).toEqual({ keyed: 5, unreadable: 0 });
    expect(progress).toEqual([2, 4, 5]);
    expect(await unkeyed()).toBe(0);
    expect(await found({ tel: "+14440000002" })).toEqual([legacy[2]!.uuid]);
    expect(await found({ name: "i\u0307lker 4" })).toEqual([legacy[4]!.uuid]);
    expect(await found({ tag: "batch:1" })).toEqual([legacy[1]!.uuid, legacy[3]!.uuid].sort());
    expect(await adapter.backfill()).toEqual({ keyed: 0, unreadable: 0 });
  });

  it("a document the Python module rewrites drops its keys, so the old values stop matching", async () => {
    const rewritten = { ...legacy[2]!, parties: [{ tel: "+14449999999", name: "New owner" }] };
    await pythonWrite(rewritten);
    expect(await unkeyed()).toBe(1);
    expect(await found({ tel: "+14440000002" })).toEqual([]);
    expect(await found({ tel: "+14449999999" })).toEqual([rewritten.uuid]);
    expect(await found({ name: "owner" })).toEqual([rewritten.uuid]);
  });

  it("our own saves keep their keys (the stale-keys trigger does not fire for them)", async () => {
    const vcon = sampleVcon({ subject: "Saved here" });
    const storage = fromAdapter(adapter);
    await storage.save(vcon);
    await storage.save({ ...vcon, subject: "Saved here again" });
    const [row] = await sqlRows<{ keyed: boolean; subject_key: string }>(
      database.url,
      "SELECT keyed_at IS NOT NULL AS keyed, subject_key FROM vcons WHERE id = $1",
      [vcon.uuid],
    );
    expect(row).toEqual({ keyed: true, subject_key: "saved here again" });
  });

  it("`vcon-storage-postgres backfill` keys what is left and says how many", async () => {
    const lines: string[] = [];
    const io = { out: (text: string) => lines.push(text), err: () => {} };
    expect(await runCli(["backfill", "--url", database.url, "--batch-size", "10"], io)).toBe(0);
    expect(lines.join("")).toBe("search keys computed for 1 rows\n");
    expect(await unkeyed()).toBe(0);
  });
});
