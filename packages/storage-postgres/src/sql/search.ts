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
  /** Substring filters only: their conditions in the first statement's steps (see `substring`). */
  steps?: SubstringSteps;
  values(input: SearchInput): Record<string, unknown>;
}

/** What a substring filter checks in each step of the first statement, instead of `condition`. */
interface SubstringSteps {
  /** The probe filters the prefix's rows, no index serves it: the whole value. */
  probing: SQL;
  /** Gathering probes the trigram index with `probed` and checks the whole value on what it finds. */
  gathering: SQL;
  /** The value's rare pieces as a pattern (it samples the CTE `prefix`), else the whole value. */
  probed: SQL;
}

const p = (name: string) => sql.placeholder(name);
/**
 * A value the planner cannot look into (a one-row subquery, evaluated once per statement): from a
 * constant it would estimate that value's own selectivity (a common tel, a pattern), find every custom
 * plan cheaper than the generic one, and plan the prepared statement again on every call, which costs
 * as much as running it. The GIN and trigram indexes serve it all the same.
 */
const opaque = (name: string, type: "text" | "text[]") => sql`(SELECT ${p(name)}::${sql.raw(type)})`;

/**
 * A substring filter on a trigram-indexed key column. A GIN probe reads the posting list of every
 * trigram of the pattern, so one common word in it ("customer 4711", where every party is a customer)
 * costs a read of nearly every row id in the index, however rare the whole value is. Gathering
 * therefore probes the index with the value's pieces (runs of letters and digits, as pg_trgm splits
 * words) that are rare in a sample, the first rows of the probe's prefix, and checks the whole
 * value with strpos, which no index serves: the answer is the same, only the probe is narrower. When
 * every piece is common, or the value is one piece, the index is probed with the whole value.
 */
function substring(column: string, name: string): Filter {
  const col = sql.raw(column);
  const pieces = `${name}Pieces`;
  const sampled = sql`SELECT ${col} FROM prefix LIMIT ${sql.raw(String(SAMPLE_ROWS))}`;
  const share = sql.raw(String(COMMON_SHARE));
  // The whole value, where no index is asked: strpos finds it in fewer cycles than LIKE's matcher.
  const exact = sql`strpos(${col}, ${opaque(`${name}Value`, "text")}) > 0`;
  const rarePieces = sql`(SELECT CASE WHEN count(*) = 0 THEN ${opaque(name, "text")}
    ELSE '%' || string_agg(piece, '%' ORDER BY n) || '%' END
  FROM unnest(${opaque(pieces, "text[]")}) WITH ORDINALITY AS listed (piece, n)
  WHERE (SELECT count(*) FROM (${sampled}) AS sampled WHERE strpos(sampled.${col}, piece) > 0) * ${share}
    < (SELECT count(*) FROM (${sampled}) AS sampled))`;
  const key = name as "name" | "subject" | "text";
  return {
    kind: "key",
    applies: (q) => q[key] !== undefined,
    condition: sql`${col} LIKE ${opaque(name, "text")} ESCAPE '\\'`,
    steps: {
      probing: exact,
      gathering: sql`${col} LIKE ${rarePieces} ESCAPE '\\' AND ${exact}`,
      probed: rarePieces,
    },
    values: (q) => ({
      [name]: contains(q[key]!),
      [pieces]: arrayLiteral(piecesOf(q[key]!)),
      [`${name}Value`]: q[key]!,
    }),
  };
}

/** A piece found in one sampled row in this many, or more often, is common: the index is not probed with it. */
const COMMON_SHARE = 8;
/**
 * Rows of the prefix the pieces are counted on: each count reads the column again (a long text is
 * decompressed each time), and a share of one in eight needs no more rows than this to show.
 */
const SAMPLE_ROWS = 64;

/**
 * At most this many pieces are weighed, the longest (a long run is the likelier to be rare): each is
 * counted on the sample, and a pasted paragraph has hundreds.
 */
export const MAX_PIECES = 8;

/**
 * The runs of three or more letters or digits in `value` (what pg_trgm makes trigrams of), in order:
 * `%a%b%` holds wherever `%value%` does. None when the value is one such run, all of it. Of more than
 * MAX_PIECES, the longest (the first of equal length), still in their order in `value`.
 */
export function piecesOf(value: string): string[] {
  const pieces = value.match(/[\p{L}\p{N}]{3,}/gu) ?? [];
  if (pieces.length === 1 && pieces[0] === value) return [];
  if (pieces.length <= MAX_PIECES) return pieces;
  const kept = new Set(
    pieces
      .map((piece, at) => ({ piece, at }))
      .sort((a, b) => b.piece.length - a.piece.length || a.at - b.at)
      .slice(0, MAX_PIECES)
      .map(({ at }) => at),
  );
  return pieces.filter((_, at) => kept.has(at));
}

const FILTERS: Record<string, Filter> = {
  tel: {
    kind: "key",
    applies: (q) => q.tel !== undefined,
    condition: sql`tels @> ${opaque("tel", "text[]")}`,
    values: (q) => ({ tel: arrayLiteral([q.tel!]) }),
  },
  mailto: {
    kind: "key",
    applies: (q) => q.mailto !== undefined,
    condition: sql`mailtos @> ${opaque("mailto", "text[]")}`,
    values: (q) => ({ mailto: arrayLiteral([q.mailto!]) }),
  },
  name: substring("party_names", "name"),
  subject: substring("subject_key", "subject"),
  text: substring("search_text", "text"),
  tags: {
    kind: "key",
    applies: (q) => q.tags !== undefined && q.tags.length > 0,
    condition: sql`tags @> ${opaque("tags", "text[]")}`,
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
  const onKeys = of("key").map((name) => FILTERS[name]!);
  const keys = onKeys.map((filter) => filter.condition);
  const ranges = of("range").map((name) => FILTERS[name]!.condition);
  // Rows without keys are candidates of every key filter: core's matcher decides them (searchPage).
  const anyKey = (conditions: SQL[]) => sql`((${sql.join(conditions, sql` AND `)}) OR keyed_at IS NULL)`;
  const keyCondition = keys.length > 0 ? anyKey(keys) : null;
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
  // not possible in this shape. Substring filters have a condition of their own in each step (see
  // `substring`); with one, the prefix is a CTE that gathering samples as well. The probe reads it only
  // as far as it needs to fill a page, the sample the rest: one read either way.
  const stepKeys = (step: "probing" | "gathering") =>
    anyKey(onKeys.map((filter) => filter.steps?.[step] ?? filter.condition));
  const gatherWhere = sql` WHERE ${sql.join([...ranges, stepKeys("gathering")], sql` AND `)}`;
  const sampling = onKeys.some((filter) => filter.steps);
  const prefix = prefixOf(t, rangeWhere, probeRows!);
  const shared = sampling ? sql`prefix AS MATERIALIZED (${prefix}), ` : sql``;
  const first = sql`WITH ${shared}probe AS MATERIALIZED (
  SELECT ${columns} FROM ${sampling ? sql`prefix` : sql`(${prefix}) AS prefix`}
  WHERE ${stepKeys("probing")} ORDER BY created_at, id LIMIT ${page}),
  candidates AS MATERIALIZED (SELECT id, created_at FROM ${t}${gatherWhere} LIMIT ${gatherLimit}),
  page AS (SELECT id FROM candidates ORDER BY created_at, id LIMIT ${page})
SELECT *, NULL::bigint AS gathered FROM probe WHERE (SELECT count(*) FROM probe) = ${page}
UNION ALL
(SELECT ${columns}, (SELECT count(*) FROM candidates) AS gathered
FROM ${t} JOIN page USING (id) WHERE (SELECT count(*) FROM probe) < ${page} ORDER BY created_at, id)`;
  return { first: built(first), walk: built(walk) };
}

/** The first `rows` rows of the range, in order: what the probe filters and gathering samples. */
function prefixOf(t: SQL, rangeWhere: SQL, rows: SQL): SQL {
  return sql`SELECT * FROM ${t}${rangeWhere} ORDER BY created_at, id LIMIT ${rows}`;
}

/**
 * The pattern gathering probes `filter`'s trigram index with for `value` (a stored key, as keyFilters
 * gives it), judged on the first `sampleRows` rows of the table: for tests and for EXPLAIN by hand.
 */
export function probedPattern(
  target: TableName,
  filter: "name" | "subject" | "text",
  value: string,
  sampleRows = searchSteps.probeRows,
): SearchStatement {
  const { steps, values } = FILTERS[filter]!;
  const rows = sql.raw(String(Math.trunc(sampleRows)));
  const query = sql`WITH prefix AS MATERIALIZED (${prefixOf(sql.raw(target.qualified), sql``, rows)})
SELECT ${steps!.probed} AS pattern`;
  const { name, text, params } = built(query);
  return { name, text, values: fillPlaceholders(params, values({ [filter]: value })) };
}

function built(query: SQL): Built {
  const { sql: text, params } = dialect.sqlToQuery(query);
  return { name: statementName(text), text, params };
}

/** `%value%` with LIKE's wildcards and escape character taken literally. */
function contains(value: string): string {
  return `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
