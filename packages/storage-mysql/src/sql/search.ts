import { type NormalizedSearchQuery, parseVconDate, searchKeyFilters } from "@vcon/storage-core/adapter";
import type { Tables } from "./schema.js";

/** A statement and its parameters. */
export interface Query {
  sql: string;
  params: Array<string | number | Buffer>;
}

/** A keyset position: the last (created_ms, uuid) already returned. */
export interface Position {
  ms: number;
  uuid: string;
}

type Range = Pick<NormalizedSearchQuery, "since" | "until"> & { after?: Position | null };

/** created_at window and keyset position, as conditions on the documents table `d`. */
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
 * One page of matches, one row more than the page to tell whether another follows. Each text filter
 * is an EXISTS on the side table: exact filters compare bytes (the (kind, value) index), substring
 * filters use INSTR on binary strings, which neither folds case nor pads spaces.
 */
export function searchQuery(tables: Tables, query: NormalizedSearchQuery): Query {
  const where: string[] = [];
  const params: Query["params"] = [];
  const after = query.after ? { ms: parseVconDate(query.after.createdAt)!, uuid: query.after.uuid } : null;
  rangeConditions({ since: query.since, until: query.until, after }, where, params);
  for (const filter of searchKeyFilters(query)) {
    where.push(
      `EXISTS (SELECT 1 FROM ${tables.keys} k WHERE k.uuid = d.uuid AND k.kind = ? AND ${
        filter.exact ? "k.value = ?" : "INSTR(k.value, ?) > 0"
      })`,
    );
    params.push(filter.kind, filter.value);
  }
  // limit is an integer from 1 to 1000 (core checked it); inlined, since LIMIT ? is brittle in prepared statements.
  const sql = `SELECT d.uuid, d.created_ms, d.document FROM ${tables.documents} d
    ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
    ORDER BY d.created_ms, d.uuid LIMIT ${Math.trunc(query.limit) + 1}`;
  return { sql, params };
}

/** One export page after `after`, in (created_ms, uuid) order. */
export function exportPage(tables: Tables, range: Range, batchSize: number): Query {
  const where: string[] = [];
  const params: Query["params"] = [];
  rangeConditions(range, where, params);
  const sql = `SELECT d.uuid, d.created_ms, d.document FROM ${tables.documents} d
    ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
    ORDER BY d.created_ms, d.uuid LIMIT ${Math.trunc(batchSize)}`;
  return { sql, params };
}
