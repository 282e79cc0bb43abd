import type { BenchDoc } from "./documents.js";

/**
 * The hand-written schema and statements of the raw PostgreSQL baselines (server and PGlite). It keeps
 * the columns the adapter writes (text for byte-exact reads, jsonb for search), with the indexes a
 * careful hand-written service would have: unique uuid, (created_at, uuid) for export order, and a GIN
 * index on the parties for tel search.
 */
export const RAW_TABLE = "bench_raw_vcons";

export const RAW_SCHEMA = `
create table if not exists ${RAW_TABLE} (
  id bigserial primary key,
  uuid uuid not null unique,
  vcon text not null,
  created_at timestamptz not null,
  subject text,
  vcon_json jsonb not null
);
create index if not exists ${RAW_TABLE}_created on ${RAW_TABLE} (created_at, uuid);
create index if not exists ${RAW_TABLE}_parties on ${RAW_TABLE} using gin ((vcon_json -> 'parties') jsonb_path_ops);
`;

export const RAW_UPSERT = `insert into ${RAW_TABLE} (uuid, vcon, created_at, subject, vcon_json)
values ($1, $2::text, $3, $4, $2::text::jsonb)
on conflict (uuid) do update set vcon = excluded.vcon, created_at = excluded.created_at,
  subject = excluded.subject, vcon_json = excluded.vcon_json`;

export const RAW_GET = `select vcon from ${RAW_TABLE} where uuid = $1`;

export const RAW_SEARCH_TEL = `select vcon from ${RAW_TABLE} where vcon_json -> 'parties' @> $1::jsonb
order by created_at, uuid limit 100`;

export const RAW_EXPORT = `select vcon from ${RAW_TABLE} where created_at >= $1 and created_at < $2
order by created_at, uuid`;

export const RAW_COPY_COLUMNS = `${RAW_TABLE} (uuid, vcon, created_at, subject, vcon_json)`;

export const RAW_TRUNCATE = `truncate ${RAW_TABLE}`;

/** The parameters of RAW_UPSERT: the document is serialised once, as the adapter does. */
export function upsertParams(doc: BenchDoc): [string, string, string, string | null] {
  return [doc.uuid, JSON.stringify(doc.vcon), doc.createdAt, doc.vcon.subject ?? null];
}

/** The containment value that finds a party by tel. */
export function telFilter(tel: string): string {
  return JSON.stringify([{ tel }]);
}

/** One line of COPY text format for RAW_COPY_COLUMNS. */
export function copyLine(doc: BenchDoc): string {
  const json = escapeCopy(JSON.stringify(doc.vcon));
  const subject = doc.vcon.subject === undefined ? "\\N" : escapeCopy(doc.vcon.subject);
  return `${doc.uuid}\t${json}\t${doc.createdAt}\t${subject}\t${json}\n`;
}

// COPY text format treats backslash, tab, newline and carriage return specially.
function escapeCopy(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r",
  );
}
