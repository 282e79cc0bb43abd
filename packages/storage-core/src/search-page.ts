import type { CursorPosition, SearchPage } from "./adapter.js";
import { encodeCursor } from "./query.js";
import type { VconDocument } from "./types.js";

/** How to read one row of a search statement: its document, and its (created_at, uuid) position. */
export interface SearchRowReader<Row> {
  document(row: Row): VconDocument;
  position(row: Row): CursorPosition;
}

/**
 * The page of a search that read up to `limit + 1` rows in (created_at, uuid) order, the extra row
 * only telling whether another page follows: the first `limit` documents, and the cursor after the
 * last of them when more follow. Saves a count query and an empty last page.
 */
export function searchPageOf<Row>(
  rows: readonly Row[],
  limit: number,
  read: SearchRowReader<Row>,
): SearchPage {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => read.document(row)),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(read.position(last)) : null,
  };
}
