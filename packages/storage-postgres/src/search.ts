import type { CursorPosition, NormalizedSearchQuery } from "@vcon/storage-core";
import { and, asc, gte, lt, type SQL, sql } from "drizzle-orm";
import { QueryBuilder } from "drizzle-orm/pg-core";
import type { TableName } from "./identifiers.js";
import { vconsTable } from "./schema.js";
import { BODY_SQL, CURSOR_TIME_SQL } from "./statements.js";

type Filters = Partial<
  Pick<NormalizedSearchQuery, "tel" | "mailto" | "name" | "subject" | "since" | "until">
>;

const builder = new QueryBuilder();
const tables = new Map<string, ReturnType<typeof vconsTable>>();

/**
 * The search (and export) query in (created_at, id) order, built with Drizzle. Every value is a bind
 * parameter; LIKE patterns escape `%`, `_` and `\` so filters match literally.
 */
export function searchSql(
  target: TableName,
  filters: Filters,
  limit: number | null,
  after: CursorPosition | null,
): { text: string; values: unknown[] } {
  const t = table(target);
  // Signed vCons keep their party keys in `parties`; every other row has them in the document.
  const partyList = sql`COALESCE(${t.parties}, ${t.vconJson} -> 'parties')`;
  const parties = sql`CASE WHEN jsonb_typeof(${partyList}) = 'array' THEN ${partyList} ELSE '[]'::jsonb END`;
  const conditions: (SQL | undefined)[] = [
    // Containment is what the GIN (jsonb_path_ops) index on parties serves.
    filters.tel !== undefined
      ? sql`${partyList} @> ${JSON.stringify([{ tel: filters.tel }])}::jsonb`
      : undefined,
    filters.mailto !== undefined
      ? sql`EXISTS (SELECT 1 FROM jsonb_array_elements(${parties}) AS p WHERE lower(p ->> 'mailto') = ${filters.mailto})`
      : undefined,
    filters.name !== undefined
      ? sql`EXISTS (SELECT 1 FROM jsonb_array_elements(${parties}) AS p WHERE lower(p ->> 'name') LIKE ${contains(filters.name)} ESCAPE '\\')`
      : undefined,
    filters.subject !== undefined
      ? sql`lower(${t.subject}) LIKE ${contains(filters.subject)} ESCAPE '\\'`
      : undefined,
    filters.since ? gte(t.createdAt, filters.since.toISOString()) : undefined,
    filters.until ? lt(t.createdAt, filters.until.toISOString()) : undefined,
    after
      ? sql`(${t.createdAt}, ${t.id}) > (${after.createdAt}::timestamptz, ${after.uuid}::uuid)`
      : undefined,
  ];
  const base = builder
    .select({
      body: sql<string>`${sql.raw(BODY_SQL)}`.as("body"),
      id: t.id,
      cursorTime: sql<string>`${sql.raw(CURSOR_TIME_SQL)}`.as("cursor_time"),
    })
    .from(t)
    .where(and(...conditions))
    .orderBy(asc(t.createdAt), asc(t.id));
  const query = limit === null ? base.toSQL() : base.limit(limit).toSQL();
  return { text: query.sql, values: query.params };
}

/** `%value%` with LIKE's wildcards and escape character taken literally. */
function contains(value: string): string {
  return `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function table(target: TableName) {
  let cached = tables.get(target.qualified);
  if (!cached) {
    cached = vconsTable(target.schema, target.table);
    tables.set(target.qualified, cached);
  }
  return cached;
}
