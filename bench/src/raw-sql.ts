import { tagTerms, vconSearchText, vconTags } from "@vcon/storage-core";
import type { BenchDoc } from "./documents.js";

/**
 * The hand-written schema and statements of the raw PostgreSQL baselines (server and PGlite): the same
 * table as @vcon/storage-postgres creates (vcon-server's layout: id = uuid, exact text in `vcon`, jsonb
 * in `vcon_json`, plus the search-key columns) with the same indexes, so both sides write the same bytes
 * to the same structures and the figure is the layer's cost, not the schema's.
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
  vcon_json jsonb,
  tels text[],
  mailtos text[],
  party_names text,
  subject_key text,
  search_text text,
  tags text[],
  keyed_at timestamptz
);
create index if not exists ${RAW_TABLE}_uuid_idx on ${RAW_TABLE} (uuid);
create index if not exists ${RAW_TABLE}_created_at_idx on ${RAW_TABLE} (created_at, id);
create index if not exists ${RAW_TABLE}_tels_idx on ${RAW_TABLE} using gin (tels) with (fastupdate = off);
create index if not exists ${RAW_TABLE}_mailtos_idx on ${RAW_TABLE} using gin (mailtos) with (fastupdate = off);
create index if not exists ${RAW_TABLE}_tags_idx on ${RAW_TABLE} using gin (tags) with (fastupdate = off);
create index if not exists ${RAW_TABLE}_unkeyed_idx on ${RAW_TABLE} (id) where keyed_at is null;
do $$ begin
  create extension if not exists pg_trgm;
  create index if not exists ${RAW_TABLE}_party_names_idx on ${RAW_TABLE} using gin (party_names gin_trgm_ops) with (gin_pending_list_limit = 256);
  create index if not exists ${RAW_TABLE}_subject_key_idx on ${RAW_TABLE} using gin (subject_key gin_trgm_ops) with (gin_pending_list_limit = 256);
  create index if not exists ${RAW_TABLE}_search_text_idx on ${RAW_TABLE} using gin (search_text gin_trgm_ops) with (gin_pending_list_limit = 256);
exception when feature_not_supported or undefined_file then null; -- PGlite without pg_trgm, as the adapter's
end $$;
`;

export const RAW_UPSERT = `insert into ${RAW_TABLE} (id, vcon, uuid, created_at, updated_at, subject, vcon_json,
  tels, mailtos, party_names, subject_key, search_text, tags, keyed_at)
values ($1, $2::text, $1, $3, now(), $4, $2::text::jsonb, $5, $6, $7, $8, $9, $10, now())
on conflict (id) do update set vcon = excluded.vcon, uuid = excluded.uuid, created_at = excluded.created_at,
  updated_at = now(), subject = excluded.subject, vcon_json = excluded.vcon_json, tels = excluded.tels,
  mailtos = excluded.mailtos, party_names = excluded.party_names, subject_key = excluded.subject_key,
  search_text = excluded.search_text, tags = excluded.tags, keyed_at = excluded.keyed_at`;

export const RAW_GET = `select vcon from ${RAW_TABLE} where id = $1`;

export const RAW_SEARCH_TEL = `select vcon from ${RAW_TABLE} where tels @> array[$1::text]
order by created_at, id limit 100`;

export const RAW_EXPORT = `select vcon from ${RAW_TABLE} where created_at >= $1 and created_at < $2
order by created_at, id`;

export const RAW_COPY_COLUMNS = `${RAW_TABLE} (id, vcon, uuid, created_at, subject, vcon_json,
  tels, mailtos, party_names, subject_key, search_text, tags, keyed_at)`;

export const RAW_TRUNCATE = `truncate ${RAW_TABLE}`;

/** The parameters of RAW_UPSERT: the document is serialised once, as the adapter does. */
export function upsertParams(doc: BenchDoc): unknown[] {
  return [doc.uuid, JSON.stringify(doc.vcon), doc.createdAt, doc.vcon.subject ?? null, ...searchKeys(doc)];
}

/** The tel filter's value. */
export function telFilter(tel: string): string {
  return tel;
}

/**
 * The search keys, computed as a careful hand-written application would: with core's own definitions of
 * searchable text and tags (so both sides index the same text), lower-cased, pieces joined by U+FFFF.
 */
function searchKeys(doc: BenchDoc): [string[], string[], string, string | null, string, string[]] {
  const parties = doc.vcon.parties ?? [];
  const names = parties.flatMap((p) => (typeof p.name === "string" ? [p.name.toLowerCase()] : []));
  const document = doc.vcon as unknown as Record<string, unknown>;
  return [
    parties.flatMap((p) => (typeof p.tel === "string" ? [p.tel] : [])),
    parties.flatMap((p) => (typeof p.mailto === "string" ? [p.mailto.toLowerCase()] : [])),
    names.join("\uffff"),
    doc.vcon.subject?.toLowerCase() ?? null,
    vconSearchText(document)
      .map((piece) => piece.toLowerCase())
      .join("\uffff"),
    tagTerms(vconTags(document)),
  ];
}

/** One line of COPY text format for RAW_COPY_COLUMNS. */
export function copyLine(doc: BenchDoc): string {
  const json = escapeCopy(JSON.stringify(doc.vcon));
  const subject = doc.vcon.subject === undefined ? "\\N" : escapeCopy(doc.vcon.subject);
  const [tels, mailtos, names, subjectKey, text, tags] = searchKeys(doc);
  const keys = [
    array(tels),
    array(mailtos),
    escapeCopy(names),
    subjectKey === null ? "\\N" : escapeCopy(subjectKey),
    escapeCopy(text),
    array(tags),
  ];
  return `${doc.uuid}\t${json}\t${doc.uuid}\t${doc.createdAt}\t${subject}\t${json}\t${keys.join("\t")}\t${doc.createdAt}\n`;
}

/** A text[] literal in COPY text format. */
function array(values: readonly string[]): string {
  return escapeCopy(`{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(",")}}`);
}

// COPY text format treats backslash, tab, newline and carriage return specially.
function escapeCopy(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r",
  );
}
