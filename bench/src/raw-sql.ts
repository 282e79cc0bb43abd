import type { BenchDoc } from "./documents.js";

/**
 * The hand-written schema and statements of the raw PostgreSQL baselines (server and PGlite): the same
 * table as @vcon/storage-postgres creates (vcon-server's layout: id = uuid, exact text in `vcon`, jsonb
 * in `vcon_json`) with the same indexes, so both sides write the same bytes to the same structures.
 */
export const RAW_TABLE = "bench_raw_vcons";

export const RAW_SCHEMA = `
create table if not exists ${RAW_TABLE} (
  id uuid primary key,
  vcon text not null,
  uuid uuid not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz default now(),
  subject text,
  vcon_json jsonb
);
create index if not exists ${RAW_TABLE}_uuid_idx on ${RAW_TABLE} (uuid);
create index if not exists ${RAW_TABLE}_created_at_idx on ${RAW_TABLE} (created_at, id);
create index if not exists ${RAW_TABLE}_parties_idx on ${RAW_TABLE} using gin ((vcon_json -> 'parties') jsonb_path_ops);
`;

export const RAW_UPSERT = `insert into ${RAW_TABLE} (id, vcon, uuid, created_at, updated_at, subject, vcon_json)
values ($1, $2::text, $1, $3, now(), $4, $2::text::jsonb)
on conflict (id) do update set vcon = excluded.vcon, uuid = excluded.uuid, created_at = excluded.created_at,
  updated_at = now(), subject = excluded.subject, vcon_json = excluded.vcon_json`;

export const RAW_GET = `select vcon from ${RAW_TABLE} where id = $1`;

export const RAW_SEARCH_TEL = `select vcon from ${RAW_TABLE} where vcon_json -> 'parties' @> $1::jsonb
order by created_at, id limit 100`;

export const RAW_EXPORT = `select vcon from ${RAW_TABLE} where created_at >= $1 and created_at < $2
order by created_at, id`;

export const RAW_COPY_COLUMNS = `${RAW_TABLE} (id, vcon, uuid, created_at, subject, vcon_json)`;

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
  return `${doc.uuid}\t${json}\t${doc.uuid}\t${doc.createdAt}\t${subject}\t${json}\n`;
}

// COPY text format treats backslash, tab, newline and carriage return specially.
function escapeCopy(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r",
  );
}
