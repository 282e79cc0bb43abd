import { createHash } from "node:crypto";
import type { CursorPosition, NormalizedSearchQuery } from "@vcon/storage-core/adapter";
import { fillPlaceholders, type SQL, sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type { TableName } from "./identifiers.js";
import { arrayLiteral, type KeyFilters, keyFilters, matchesStored } from "./keys.js";
import { BODY_SQL, CURSOR_TIME_SQL } from "./statements.js";

/** What search and export filter on: core's normalised query, its cursor, and a page size. */
export type SearchInput = Partial<Pick<NormalizedSearchQuery, keyof KeyFilters | "since" | "until">> & {
  after?: CursorPosition | null;
  limit?: number | null;
};

export interface SearchRow {
  body: string;
  id: string;
  cursor_time: string;
  /** False for a row without search keys (see `keyed_at`): core's matcher decides it. */
  keyed: boolean;
  /** How many candidates the gathering step found (gathering statements only). */
  gathered?: string | number;
}

/**
 * At most this many matching ids are gathered through the key indexes and then ordered. A filter
 * matching more is common enough that walking the (created_at, id) index finds a page at once.
 */
export const GATHER_LIMIT = 2000;

/**
 * The first step of a filtered search reads this many rows in (created_at, id) order and keeps those
 * that match: a value on one document in ten fills a page there, in one short statement, before any
 * index is consulted. Only when it does not is the gathering step run.
 */
export const PROBE_ROWS = 256;

/**
 * The step sizes in use: the constants above. Tests lower them to drive small tables through every
 * step (see test/conformance.search-steps.test.ts); nothing else changes them.
 */
export const searchSteps = { probeRows: PROBE_ROWS, gatherLimit: GATHER_LIMIT };

/**
 * Each filter in one place: when it applies, its condition (with named placeholders), and the values
 * bound to them. Key filters compare the stored keys (keys.ts) and are served by GIN indexes; range
 * filters compare created_at and are served by the (created_at, id) index.
 */
interface Filter {
  kind: "key" | "range";
  applies(input: SearchInput): boolean;
  condition: SQL;
  values(input: SearchInput): Record<string, unknown>;
}

const p = (name: string) => sql.placeholder(name);
/**
 * A LIKE pattern the planner cannot look into (a one-row subquery, evaluated once per statement):
 * from a constant pattern it would estimate each value's own selectivity, find every custom plan
 * cheaper than the generic one, and plan the prepared statement again on every call. The trigram
 * indexes serve it all the same.
 */
const pattern = (name: string) => sql`(SELECT ${p(name)}::text)`;

const FILTERS: Record<string, Filter> = {
  tel: {
    kind: "key",
    applies: (q) => q.tel !== undefined,
    condition: sql`tels @> ${p("tel")}::text[]`,
    values: (q) => ({ tel: arrayLiteral([q.tel!]) }),
  },
  mailto: {
    kind: "key",
    applies: (q) => q.mailto !== undefined,
    condition: sql`mailtos @> ${p("mailto")}::text[]`,
    values: (q) => ({ mailto: arrayLiteral([q.mailto!]) }),
  },
  name: {
    kind: "key",
    applies: (q) => q.name !== undefined,
    condition: sql`party_names LIKE ${pattern("name")} ESCAPE '\\'`,
    values: (q) => ({ name: contains(q.name!) }),
  },
  subject: {
    kind: "key",
    applies: (q) => q.subject !== undefined,
    condition: sql`subject_key LIKE ${pattern("subject")} ESCAPE '\\'`,
    values: (q) => ({ subject: contains(q.subject!) }),
  },
  text: {
    kind: "key",
    applies: (q) => q.text !== undefined,
    condition: sql`search_text LIKE ${pattern("text")} ESCAPE '\\'`,
    values: (q) => ({ text: contains(q.text!) }),
  },
  tags: {
    kind: "key",
    applies: (q) => q.tags !== undefined && q.tags.length > 0,
    condition: sql`tags @> ${p("tags")}::text[]`,
    values: (q) => ({ tags: arrayLiteral(q.tags!) }),
  },
  since: {
    kind: "range",
    applies: (q) => q.since !== undefined,
    condition: sql`created_at >= ${p("since")}::timestamptz`,
    values: (q) => ({ since: q.since!.toISOString() }),
  },
  until: {
    kind: "range",
    applies: (q) => q.until !== undefined,
    condition: sql`created_at < ${p("until")}::timestamptz`,
    values: (q) => ({ until: q.until!.toISOString() }),
  },
  after: {
    kind: "range",
    applies: (q) => q.after != null,
    condition: sql`(created_at, id) > (${p("afterTime")}::timestamptz, ${p("afterId")}::uuid)`,
    values: (q) => ({ afterTime: q.after!.createdAt, afterId: q.after!.uuid }),
  },
};

const FILTER_NAMES = Object.keys(FILTERS);

/** A statement whose text depends only on which filters apply, so it is named after the text. */
export interface SearchStatement {
  /** Prepared-statement name derived from the text: one server-side plan per shape and connection. */
  name: string;
  text: string;
  values: unknown[];
}

interface Shape {
  /**
   * The probe, and in the same statement gathering when the probe did not fill a page: the first
   * PROBE_ROWS rows in order, filtered (a common value's page, at the cost of one short walk); else the
   * matching ids through the key indexes, at most GATHER_LIMIT, then one ordered page of them.
   */
  first: Built | null;
  /** The same filters in (created_at, id) order: for range-only queries and for common values. */
  walk: Built;
}

interface Built {
  name: string;
  text: string;
  /** Drizzle's parameter list, placeholders where the values go. */
  params: unknown[];
}

const dialect = new PgDialect();
/** Per table, per set of applying filters and step sizes: built once, then only the values change. */
const shapes = new Map<string, Map<string, Shape>>();

/** The statements for `input` on `target`, with their values bound. */
export function searchStatements(
  target: TableName,
  input: SearchInput,
): { first: SearchStatement | null; walk: SearchStatement } {
  const applying = FILTER_NAMES.filter((name) => FILTERS[name]!.applies(input));
  const byTable = shapes.get(target.qualified) ?? new Map<string, Shape>();
  shapes.set(target.qualified, byTable);
  // The first step's text holds the page size and the step sizes (see buildShape), so they are part
  // of its shape: one prepared statement per page size in use.
  const steps = { ...searchSteps, pageRows: input.limit ?? null };
  const key = `${applying.join(",")}|${steps.pageRows}|${steps.probeRows}|${steps.gatherLimit}`;
  const shape = byTable.get(key) ?? buildShape(target, applying, steps);
  byTable.set(key, shape);
  const values: Record<string, unknown> = { limit: input.limit };
  for (const name of applying) Object.assign(values, FILTERS[name]!.values(input));
  const bind = (built: Built): SearchStatement => ({
    name: built.name,
    text: built.text,
    values: fillPlaceholders(built.params, values),
  });
  return { first: shape.first && bind(shape.first), walk: bind(shape.walk) };
}

/**
 * One page of `query` (limit + 1 rows, so the caller sees whether more follow), in (created_at, id)
 * order. Rows the database cannot decide exactly (no keys yet, or a filter holding KEY_BREAK) are
 * rechecked with core's matcher; when that drops rows, the next rows are fetched after the last one.
 */
export async function searchPage(
  target: TableName,
  query: NormalizedSearchQuery,
  run: (statement: SearchStatement) => Promise<SearchRow[]>,
): Promise<SearchRow[]> {
  const keyQuery: Partial<KeyFilters> = {
    tel: query.tel,
    mailto: query.mailto,
    name: query.name,
    subject: query.subject,
    text: query.text,
    tags: query.tags,
  };
  const { filters, recheck, any } = keyFilters(keyQuery);
  // Only key filters can be undecided: time ranges and cursors are exact in SQL for every row.
  const decided = (row: SearchRow) => !any || (row.keyed && !recheck);
  const wanted = query.limit + 1;
  const kept: SearchRow[] = [];
  let after = query.after;
  for (;;) {
    const input: SearchInput = { ...filters, since: query.since, until: query.until, after, limit: wanted };
    const rows = await pageRows(target, input, run);
    for (const row of rows) {
      if (decided(row) || matchesStored(row.body, keyQuery)) kept.push(row);
      if (kept.length === wanted) return kept;
    }
    const last = rows.at(-1);
    if (!last || rows.length < wanted) return kept;
    after = { createdAt: last.cursor_time, uuid: last.id };
  }
}

/**
 * With a key filter: the probe, else gathering through the key indexes (one statement, one round
 * trip), then the ordered walk when gathering hit its cap (a value too common to gather). Each step
 * that answers answers exactly: the probe's rows are the first matches of a prefix of the order,
 * gathering below its cap has every match.
 */
async function pageRows(
  target: TableName,
  input: SearchInput,
  run: (statement: SearchStatement) => Promise<SearchRow[]>,
): Promise<SearchRow[]> {
  const { first, walk } = searchStatements(target, input);
  if (first) {
    const rows = await run(first);
    // No rows: the probe found none and gathering nothing. `gathered` is null on the probe's rows.
    const gathered = rows[0]?.gathered;
    if (gathered == null || Number(gathered) < searchSteps.gatherLimit) return rows;
  }
  return run(walk);
}

/** `vcon_q_<sha1 of the text>`: the same text always gets the same name, different texts never share one. */
export function statementName(text: string): string {
  return `vcon_q_${createHash("sha1").update(text).digest("hex").slice(0, 24)}`;
}

function buildShape(
  target: TableName,
  applying: readonly string[],
  steps: typeof searchSteps & { pageRows: number | null },
): Shape {
  const limited = steps.pageRows !== null;
  const t = sql.raw(target.qualified);
  const of = (kind: Filter["kind"]) => applying.filter((name) => FILTERS[name]!.kind === kind);
  const keys = of("key").map((name) => FILTERS[name]!.condition);
  const ranges = of("range").map((name) => FILTERS[name]!.condition);
  // Rows without keys are candidates of every key filter: core's matcher decides them (searchPage).
  const keyCondition = keys.length > 0 ? sql`((${sql.join(keys, sql` AND `)}) OR keyed_at IS NULL)` : null;
  const conditions = [...ranges, ...(keyCondition ? [keyCondition] : [])];
  const where = conditions.length > 0 ? sql` WHERE ${sql.join(conditions, sql` AND `)}` : sql``;
  const rangeWhere = ranges.length > 0 ? sql` WHERE ${sql.join(ranges, sql` AND `)}` : sql``;
  const limit = limited ? sql` LIMIT ${p("limit")}` : sql``;
  const columns = sql.raw(
    `${BODY_SQL} AS body, id, ${CURSOR_TIME_SQL} AS cursor_time, keyed_at IS NOT NULL AS keyed`,
  );
  const walk = sql`SELECT ${columns} FROM ${t}${where} ORDER BY created_at, id${limit}`;
  if (!keyCondition || !limited) return { first: null, walk: built(walk) };
  // The page size and the step sizes are literals, not parameters: the planner then costs the generic
  // plan as it costs each custom one (a LIMIT parameter is costed as a tenth of the rows), and
  // PostgreSQL keeps the prepared statement's one generic plan instead of planning every call again.
  const [page, probeRows, gatherLimit] = [steps.pageRows!, steps.probeRows, steps.gatherLimit].map((n) =>
    sql.raw(String(Math.trunc(n))),
  );
  // Both branches are gated on the probe's row count (a one-time filter): gathering is not run at all
  // when the probe filled the page. MATERIALIZED: the candidates come from the key indexes whatever
  // the statistics say; a plan that walks the created_at index for a rare value (the whole table) is
  // not possible in this shape.
  const first = sql`WITH probe AS MATERIALIZED (
  SELECT ${columns} FROM (SELECT * FROM ${t}${rangeWhere} ORDER BY created_at, id LIMIT ${probeRows}) AS prefix
  WHERE ${keyCondition} ORDER BY created_at, id LIMIT ${page}),
  candidates AS MATERIALIZED (SELECT id, created_at FROM ${t}${where} LIMIT ${gatherLimit}),
  page AS (SELECT id FROM candidates ORDER BY created_at, id LIMIT ${page})
SELECT *, NULL::bigint AS gathered FROM probe WHERE (SELECT count(*) FROM probe) = ${page}
UNION ALL
(SELECT ${columns}, (SELECT count(*) FROM candidates) AS gathered
FROM ${t} JOIN page USING (id) WHERE (SELECT count(*) FROM probe) < ${page} ORDER BY created_at, id)`;
  return { first: built(first), walk: built(walk) };
}

function built(query: SQL): Built {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return { name: statementName(text), text, params };
}

/** `%value%` with LIKE's wildcards and escape character taken literally. */
function contains(value: string): string {
  return `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
