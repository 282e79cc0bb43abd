/** The shared author helpers: scan search, the created_at rule, schema issues, safe inspection, package imports. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { inspect } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  createdAtMsFor,
  decodeCursor,
  importFrom,
  inspectSafely,
  issuePath,
  normalizeSearchQuery,
  prepareVcon,
  type ScanRecord,
  scanSearch,
  schemaIssues,
  toScanRecord,
} from "../src/adapter-kit.js";
import { AdapterRegistry } from "../src/index.js";

const uuid = (n: number) => `0190f1c2-8a3b-7cde-9f01-${String(n).padStart(12, "0")}`;

describe("created_at rule and scan records", () => {
  it("a vCon's own created_at wins; an update without one keeps the stored time; a new one gets now", () => {
    const dated = prepareVcon({ uuid: uuid(1), created_at: "2024-01-01T00:00:00Z" });
    const undated = prepareVcon({ uuid: uuid(1) });
    expect(createdAtMsFor(dated, 5)).toBe(Date.UTC(2024, 0, 1));
    expect(createdAtMsFor(undated, 5)).toBe(5);
    expect(createdAtMsFor(undated, undefined, () => 42)).toBe(42);
    const stored = toScanRecord(dated);
    const updated = toScanRecord(undated, stored);
    expect(updated.createdAtMs).toBe(stored.createdAtMs);
    expect(updated.json).toBe(undated.json);
    expect(updated).not.toHaveProperty("text");
  });

  it("keeps text and tags only when asked", () => {
    const vcon = prepareVcon({ uuid: uuid(2), subject: "Refund request", parties: [{ name: "Ann" }] });
    expect(toScanRecord(vcon, null, { text: true, tags: true })).toMatchObject({
      text: ["Refund request", "Ann"],
      tags: [],
    });
  });
});

describe("scanSearch", () => {
  const records: ScanRecord[] = [3, 1, 2, 5, 4].map((n) =>
    toScanRecord(
      prepareVcon({ uuid: uuid(n), created_at: `2024-01-0${n}T00:00:00Z`, subject: `call ${n % 2}` }),
    ),
  );

  it("filters, orders by (created_at, uuid), pages with a cursor and returns fresh copies", () => {
    const first = scanSearch(records, normalizeSearchQuery({ subject: "CALL 1", limit: 2 }));
    expect(first.items.map((item) => (item as { uuid: string }).uuid)).toStrictEqual([uuid(1), uuid(3)]);
    expect(decodeCursor(first.nextCursor!)).toStrictEqual({
      createdAt: "2024-01-03T00:00:00.000Z",
      uuid: uuid(3),
    });
    const second = scanSearch(
      records,
      normalizeSearchQuery({ subject: "call 1", limit: 2, cursor: first.nextCursor }),
    );
    expect(second.items.map((item) => (item as { uuid: string }).uuid)).toStrictEqual([uuid(5)]);
    expect(second.nextCursor).toBeNull();
    (first.items[0] as { subject: string }).subject = "changed";
    expect(scanSearch(records, normalizeSearchQuery({ limit: 1 })).items[0]).toMatchObject({
      subject: "call 1",
    });
  });
});

describe("schemaIssues", () => {
  it("uses core's one path syntax for every kind of key", () => {
    expect(issuePath("options", ["hosts", 1, "port"])).toBe("options.hosts[1].port");
    expect(issuePath("$", [{ key: "odd key" }, { key: 0 }])).toBe('$["odd key"][0]');
    const outcome = z
      .object({ url: z.string(), pool: z.object({ max: z.number() }) })
      .safeParse({ pool: { max: "x" } });
    expect(outcome.success).toBe(false);
    expect(schemaIssues(outcome.error!.issues, "options").map((issue) => issue.path)).toStrictEqual([
      "options.url",
      "options.pool.max",
    ]);
  });
});

describe("inspectSafely", () => {
  it("shows only the summary in JSON and util.inspect, and leaves the object's own keys alone", () => {
    class Client {
      readonly url = "postgres://app:hunter2@db/vcons";
      readonly table = "vcons";
      constructor() {
        inspectSafely(this, "Client", () => ({ table: this.table }));
      }
    }
    const client = new Client();
    expect(JSON.stringify(client)).toBe('{"table":"vcons"}');
    expect(inspect(client, { depth: 5 })).toBe("Client { table: 'vcons' }");
    expect(inspect({ nested: client })).not.toContain("hunter2");
    expect(Object.keys(client)).toStrictEqual(["url", "table"]);
  });
});

describe("importFrom", () => {
  const root = mkdtempSync(join(tmpdir(), "vcon core with spaces "));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const pkg = join(root, "node_modules", "vcon-storage-spaced");
  mkdirSync(pkg, { recursive: true });
  writeFileSync(
    join(pkg, "package.json"),
    JSON.stringify({ name: "vcon-storage-spaced", type: "module", main: "index.js" }),
  );
  writeFileSync(
    join(pkg, "index.js"),
    'export const adapter = { name: "spaced", options: { "~standard": { version: 1, vendor: "t", validate: (v) => ({ value: v }) } }, create: () => ({}) };',
  );
  const app = join(root, "app.js");
  writeFileSync(app, "");

  it("resolves from a directory, from a module's file URL and from a folder URL, on paths with spaces", async () => {
    for (const from of [root, pathToFileURL(app).href, pathToFileURL(app), pathToFileURL(`${root}/`)]) {
      const module = await importFrom("vcon-storage-spaced", from);
      expect((module.adapter as { name: string }).name, String(from)).toBe("spaced");
    }
  });

  it("the registry takes a module's import.meta.url as resolveFrom", async () => {
    const registry = new AdapterRegistry({ resolveFrom: pathToFileURL(app).href });
    expect((await registry.resolve("vcon-storage-spaced")).name).toBe("spaced");
  });
});
