import { type NormalizedSearchQuery, parseVconDate, searchKeyFilters } from "@vcon/storage-core/adapter";
import type { Tables } from "./schema.js";

/** A keyset position: the last (created_ms, uuid) already returned. */
export interface Position {
  ms: number;
  uuid: string;
}

/** A statement's text (the cache key of its prepared form) and its parameters. */
export interface Query {
  sql: string;
  params: Array<string | number | Buffer>;
}

type Range = Pick<NormalizedSearchQuery, "since" | "until"> & { after?: Position | null };

function rangeConditions(range: Range, where: string[], params: Query["params"]): void {
  if (range.since) {
    where.push("d.created_ms >= ?");
    params.push(range.since.getTime());
  }
  if (range.until) {
    where.push("d.created_ms < ?");
    params.push(range.until.getTime());
  }
  if (range.after) {
    where.push("(d.created_ms > ? OR (d.created_ms = ? AND d.uuid > ?))");
    params.push(range.after.ms, range.after.ms, range.after.uuid);
  }
}

/**
 * One page of matches plus one row, to tell whether another page follows. Each text filter is an
 * EXISTS on the side table: exact filters compare BLOBs (the (kind, value) index), substring filters
 * use instr() on BLOBs, which counts bytes and folds nothing.
 */
export function searchQuery(tables: Tables, query: NormalizedSearchQuery): Query {
  const where: string[] = [];
  const params: Query["params"] = [];
  const after = query.after ? { ms: parseVconDate(query.after.createdAt)!, uuid: query.after.uuid } : null;
  rangeConditions({ since: query.since, until: query.until, after }, where, params);
  for (const filter of searchKeyFilters(query)) {
    where.push(
      `EXISTS (SELECT 1 FROM ${tables.keys} k WHERE k.uuid = d.uuid AND k.kind = ? AND ${
        filter.exact ? "k.value = ?" : "instr(k.value, ?) > 0"
      })`,
    );
    params.push(filter.kind, filter.value);
  }
  params.push(query.limit + 1);
  const sql = `SELECT d.uuid, d.created_ms, d.document FROM ${tables.documents} d
    ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
    ORDER BY d.created_ms, d.uuid LIMIT ?`;
  return { sql, params };
}

/** One page of (uuid, created_ms[, document]) after `after`, in (created_ms, uuid) order. */
export function exportPage(tables: Tables, range: Range, batchSize: number, withDocuments: boolean): Query {
  const where: string[] = [];
  const params: Query["params"] = [];
  rangeConditions(range, where, params);
  params.push(batchSize);
  const sql = `SELECT d.uuid, d.created_ms${withDocuments ? ", d.document" : ""} FROM ${tables.documents} d
    ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
    ORDER BY d.created_ms, d.uuid LIMIT ?`;
  return { sql, params };
}
