import { createHash } from "node:crypto";
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

/** A search statement: its text depends only on the query's shape, so it is named after the text. */
export interface SearchStatement {
  /** Prepared-statement name derived from the text: one server-side plan per shape and connection. */
  name: string;
  text: string;
  values: unknown[];
}

/**
 * Texts already built, per table and shape (which filters are present, limit, cursor). Building with
 * Drizzle costs a few hundred microseconds, more than an indexed search takes on the server, so each
 * shape is built once; later calls only compute the parameters. A shape is cached only after its
 * parameters computed by `paramsOf` matched Drizzle's, so a Drizzle change cannot bind wrong values.
 */
const built = new Map<string, { name: string; text: string } | null>();
const MAX_SHAPES = 512;

/** The search (and export) statement for `filters`, from the cache of shapes when it can be. */
export function searchStatement(
  target: TableName,
  filters: Filters,
  limit: number | null,
  after: CursorPosition | null,
): SearchStatement {
  const key = shapeKey(target, filters, limit, after);
  const cached = built.get(key);
  if (cached) return { name: cached.name, text: cached.text, values: paramsOf(filters, limit, after) };
  const { text, values } = searchSql(target, filters, limit, after);
  const name = statementName(text);
  if (cached === undefined && built.size < MAX_SHAPES) {
    const same = sameValues(values, paramsOf(filters, limit, after));
    built.set(key, same ? { name, text } : null);
  }
  return { name, text, values };
}

/** `vcon_q_<sha1 of the text>`: the same text always gets the same name, different texts never share one. */
export function statementName(text: string): string {
  return `vcon_q_${createHash("sha1").update(text).digest("hex").slice(0, 24)}`;
}

function shapeKey(
  target: TableName,
  filters: Filters,
  limit: number | null,
  after: CursorPosition | null,
): string {
  // The same tests as searchSql's conditions, so a key stands for exactly one text.
  const given = (value: unknown) => (value !== undefined ? "1" : "0");
  const truthy = (value: unknown) => (value ? "1" : "0");
  return `${target.qualified}|${given(filters.tel)}${given(filters.mailto)}${given(filters.name)}${given(filters.subject)}${truthy(filters.since)}${truthy(filters.until)}${truthy(after)}${limit === null ? "0" : "1"}`;
}

/** The bind parameters in the order `searchSql` places them. */
function paramsOf(filters: Filters, limit: number | null, after: CursorPosition | null): unknown[] {
  const values: unknown[] = [];
  if (filters.tel !== undefined) values.push(JSON.stringify([{ tel: filters.tel }]));
  if (filters.mailto !== undefined) values.push(filters.mailto);
  if (filters.name !== undefined) values.push(contains(filters.name));
  if (filters.subject !== undefined) values.push(contains(filters.subject));
  if (filters.since) values.push(filters.since.toISOString());
  if (filters.until) values.push(filters.until.toISOString());
  if (after) values.push(after.createdAt, after.uuid);
  if (limit !== null) values.push(limit);
  return values;
}

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

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
