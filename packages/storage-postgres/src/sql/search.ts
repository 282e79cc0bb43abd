import { createHash } from "node:crypto";
import type { CursorPosition, NormalizedSearchQuery } from "@vcon/storage-core";
import { and, asc, fillPlaceholders, type SQL, sql } from "drizzle-orm";
import { QueryBuilder } from "drizzle-orm/pg-core";
import type { TableName } from "./identifiers.js";
import { vconsTable } from "./schema.js";
import { BODY_SQL, CURSOR_TIME_SQL } from "./statements.js";

/** What search and export filter on: core's normalised query, its cursor, and an optional page size. */
export type SearchInput = Partial<
  Pick<NormalizedSearchQuery, "tel" | "mailto" | "name" | "subject" | "since" | "until">
> & { after?: CursorPosition | null; limit?: number | null };

type Table = ReturnType<typeof vconsTable>;

/**
 * Each filter in one place: when it applies, its SQL (with a named placeholder for its value), and the
 * value bound to that placeholder. A statement is built once per table and set of applying filters.
 */
interface Filter {
  applies(input: SearchInput): boolean;
  condition(t: Table): SQL;
  values(input: SearchInput): Record<string, unknown>;
}

// Signed vCons keep their party keys in `parties`; every other row has them in the document.
const partyList = (t: Table) => sql`COALESCE(${t.parties}, ${t.vconJson} -> 'parties')`;
const partyArray = (t: Table) =>
  sql`CASE WHEN jsonb_typeof(${partyList(t)}) = 'array' THEN ${partyList(t)} ELSE '[]'::jsonb END`;

const FILTERS: Record<string, Filter> = {
  tel: {
    applies: (q) => q.tel !== undefined,
    // Containment is what the GIN (jsonb_path_ops) index on parties serves.
    condition: (t) => sql`${partyList(t)} @> ${sql.placeholder("tel")}::jsonb`,
    values: (q) => ({ tel: JSON.stringify([{ tel: q.tel }]) }),
  },
  mailto: {
    applies: (q) => q.mailto !== undefined,
    condition: (t) =>
      sql`EXISTS (SELECT 1 FROM jsonb_array_elements(${partyArray(t)}) AS p WHERE lower(p ->> 'mailto') = ${sql.placeholder("mailto")})`,
    values: (q) => ({ mailto: q.mailto }),
  },
  name: {
    applies: (q) => q.name !== undefined,
    condition: (t) =>
      sql`EXISTS (SELECT 1 FROM jsonb_array_elements(${partyArray(t)}) AS p WHERE lower(p ->> 'name') LIKE ${sql.placeholder("name")} ESCAPE '\\')`,
    values: (q) => ({ name: contains(q.name!) }),
  },
  subject: {
    applies: (q) => q.subject !== undefined,
    condition: (t) => sql`lower(${t.subject}) LIKE ${sql.placeholder("subject")} ESCAPE '\\'`,
    values: (q) => ({ subject: contains(q.subject!) }),
  },
  since: {
    applies: (q) => q.since !== undefined,
    condition: (t) => sql`${t.createdAt} >= ${sql.placeholder("since")}`,
    values: (q) => ({ since: q.since!.toISOString() }),
  },
  until: {
    applies: (q) => q.until !== undefined,
    condition: (t) => sql`${t.createdAt} < ${sql.placeholder("until")}`,
    values: (q) => ({ until: q.until!.toISOString() }),
  },
  after: {
    applies: (q) => q.after != null,
    condition: (t) =>
      sql`(${t.createdAt}, ${t.id}) > (${sql.placeholder("afterTime")}::timestamptz, ${sql.placeholder("afterId")}::uuid)`,
    values: (q) => ({ afterTime: q.after!.createdAt, afterId: q.after!.uuid }),
  },
  limit: {
    applies: (q) => q.limit != null,
    condition: () => sql``, // placed by the builder's LIMIT
    values: (q) => ({ limit: q.limit }),
  },
};

const FILTER_NAMES = Object.keys(FILTERS);

/** A search statement: its text depends only on which filters apply, so it is named after the text. */
export interface SearchStatement {
  /** Prepared-statement name derived from the text: one server-side plan per shape and connection. */
  name: string;
  text: string;
  values: unknown[];
}

interface Built {
  name: string;
  text: string;
  /** Drizzle's parameter list, placeholders where the values go. */
  params: unknown[];
}

const builder = new QueryBuilder();
/** Per table, per set of applying filters: building with Drizzle costs more than an indexed search. */
const built = new Map<string, Map<string, Built>>();

/** The search (and export) statement for `input`, in (created_at, id) order. */
export function searchStatement(target: TableName, input: SearchInput): SearchStatement {
  const applying = FILTER_NAMES.filter((name) => FILTERS[name]!.applies(input));
  const shapes = built.get(target.qualified) ?? new Map<string, Built>();
  built.set(target.qualified, shapes);
  const key = applying.join(",");
  const statement = shapes.get(key) ?? build(target, applying);
  shapes.set(key, statement);
  const values = Object.assign({}, ...applying.map((name) => FILTERS[name]!.values(input)));
  return { name: statement.name, text: statement.text, values: fillPlaceholders(statement.params, values) };
}

/** `vcon_q_<sha1 of the text>`: the same text always gets the same name, different texts never share one. */
export function statementName(text: string): string {
  return `vcon_q_${createHash("sha1").update(text).digest("hex").slice(0, 24)}`;
}

function build(target: TableName, applying: readonly string[]): Built {
  const t = vconsTable(target.schema, target.table);
  const conditions = applying.filter((name) => name !== "limit").map((name) => FILTERS[name]!.condition(t));
  const base = builder
    .select({
      body: sql<string>`${sql.raw(BODY_SQL)}`.as("body"),
      id: t.id,
      cursorTime: sql<string>`${sql.raw(CURSOR_TIME_SQL)}`.as("cursor_time"),
    })
    .from(t)
    .where(and(...conditions))
    .orderBy(asc(t.createdAt), asc(t.id));
  const query = applying.includes("limit") ? base.limit(sql.placeholder("limit")).toSQL() : base.toSQL();
  return { name: statementName(query.sql), text: query.sql, params: query.params };
}

/** `%value%` with LIKE's wildcards and escape character taken literally. */
function contains(value: string): string {
  return `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
