import { describe, expect, it } from "vitest";
import { decodeCursor, searchPageOf } from "../src/adapter-kit.js";

const rows = [1, 2, 3].map((n) => ({
  uuid: `0194c3a2-7b1e-8f3d-9a2c-00000000000${n}`,
  ms: Date.UTC(2026, 0, n),
  document: JSON.stringify({ uuid: `0194c3a2-7b1e-8f3d-9a2c-00000000000${n}`, parties: [] }),
}));
const read = {
  document: (row: (typeof rows)[number]) => JSON.parse(row.document),
  position: (row: (typeof rows)[number]) => ({ createdAt: new Date(row.ms).toISOString(), uuid: row.uuid }),
};

describe("searchPageOf", () => {
  it("one row more than the page: the page, and a cursor after its last row", () => {
    const page = searchPageOf(rows, 2, read);
    expect(page.items.map((item) => item.uuid)).toStrictEqual([rows[0]!.uuid, rows[1]!.uuid]);
    expect(decodeCursor(page.nextCursor!)).toStrictEqual(read.position(rows[1]!));
  });

  it("no row beyond the page: no cursor, whether the page is full, short or empty", () => {
    expect(searchPageOf(rows, 3, read).nextCursor).toBeNull();
    expect(searchPageOf(rows, 3, read).items).toHaveLength(3);
    expect(searchPageOf(rows.slice(0, 1), 5, read)).toStrictEqual({
      items: [read.document(rows[0]!)],
      nextCursor: null,
    });
    expect(searchPageOf([], 5, read)).toStrictEqual({ items: [], nextCursor: null });
  });
});
