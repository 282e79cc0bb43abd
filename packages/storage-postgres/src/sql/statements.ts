import { createHash } from "node:crypto";
import type { TableName } from "./identifiers.js";

/** The hot-path SQL for one table, written once so every call reuses the same prepared statement. */
export interface Statements {
  save: NamedStatement;
  /** PGlite batch path: one statement over parameter arrays. */
  saveMany: NamedStatement;
  /** Server batch path: a staging table per transaction, filled by COPY, merged by one statement. */
  stage: { create: string; copy: string; merge: string };
  get: NamedStatement;
  exists: NamedStatement;
  delete: NamedStatement;
}

export interface NamedStatement {
  /** Prepared-statement name, unique per table. */
  name: string;
  text: string;
}

/** Every column a save writes, in the order of `rowValues` (uuid and the timestamps are derived). */
const COLUMNS = `id, vcon, uuid, created_at, updated_at, subject, vcon_json, parties,
  tels, mailtos, party_names, subject_key, search_text, tags, keyed_at`;

/**
 * On conflict every written column takes the new value. `keyed_at` is the write's own clock time, so
 * the trigger that marks keys stale when another program rewrites the document never fires for us.
 */
const UPDATE_ALL = `vcon = EXCLUDED.vcon, uuid = EXCLUDED.uuid, updated_at = now(), subject = EXCLUDED.subject,
  vcon_json = EXCLUDED.vcon_json, parties = EXCLUDED.parties, tels = EXCLUDED.tels,
  mailtos = EXCLUDED.mailtos, party_names = EXCLUDED.party_names, subject_key = EXCLUDED.subject_key,
  search_text = EXCLUDED.search_text, tags = EXCLUDED.tags, keyed_at = EXCLUDED.keyed_at`;

/**
 * `vcon` keeps the exact text; `vcon_json` gets the same text cast to jsonb, or a sanitised copy when
 * jsonb cannot hold it (`$5`, see jsonb.ts); `parties` only for signed vCons, whose parties are inside
 * the payload (`$6`); then the search keys (`$7`-`$12`, see keys.ts). A save without created_at keeps
 * the stored one.
 */
export function statements(target: TableName): Statements {
  const t = target.qualified;
  const suffix = createHash("sha1").update(t).digest("hex").slice(0, 10);
  const named = (name: string, text: string): NamedStatement => ({ name: `vcon_${name}_${suffix}`, text });
  return {
    save: named(
      "save_k",
      `INSERT INTO ${t} AS row (${COLUMNS})
       VALUES ($1, $2, $1, COALESCE($3::timestamptz, now()), now(), $4, COALESCE($5::text, $2)::jsonb, $6::jsonb,
               $7::text[], $8::text[], $9, $10, $11, $12::text[], clock_timestamp())
       ON CONFLICT (id) DO UPDATE SET ${UPDATE_ALL},
         created_at = CASE WHEN $3::timestamptz IS NULL THEN row.created_at ELSE EXCLUDED.created_at END`,
    ),
    // PGlite: one statement per chunk, atomic by itself, one round trip. The adapter sorts the chunk by
    // id, so rows are locked in id order. A row without created_at keeps the stored one: the
    // subquery runs only for those rows (COALESCE stops at its first non-null argument).
    saveMany: named(
      "save_many_k",
      `INSERT INTO ${t} AS row (${COLUMNS})
       SELECT input.id, input.vcon, input.id,
              COALESCE(input.created_at, (SELECT e.created_at FROM ${t} e WHERE e.id = input.id), now()), now(),
              input.subject, COALESCE(input.sanitised, input.vcon)::jsonb, input.parties,
              input.tels::text[], input.mailtos::text[], input.party_names, input.subject_key,
              input.search_text, input.tags::text[], clock_timestamp()
       FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::jsonb[],
                   $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
         AS input(id, vcon, created_at, subject, sanitised, parties,
                  tels, mailtos, party_names, subject_key, search_text, tags)
       ON CONFLICT (id) DO UPDATE SET ${UPDATE_ALL}, created_at = EXCLUDED.created_at`,
    ),
    stage: stageStatements(t, `pg_temp.vcon_stage_${suffix}`),
    get: named("get", `SELECT ${BODY_SQL} AS body FROM ${t} WHERE id = $1`),
    exists: named("exists", `SELECT 1 AS found FROM ${t} WHERE id = $1`),
    delete: named("delete_r", `DELETE FROM ${t} WHERE id = $1 RETURNING id`),
  };
}

/**
 * The server's batch path, inside one transaction per chunk: COPY the chunk (sorted by id) into a
 * temporary table dropped at commit, then one INSERT ... SELECT ... ON CONFLICT moves it into the
 * table. A freshly filled temporary table is read back in the order it was written (no synchronized
 * or parallel scans on temporary tables), so rows are locked in id order and concurrent batches
 * sharing uuids cannot deadlock, without sorting wide rows on the server.
 */
function stageStatements(t: string, stage: string): Statements["stage"] {
  return {
    create: `CREATE TEMP TABLE ${stage.slice("pg_temp.".length)} (
       id uuid NOT NULL, vcon text NOT NULL, created_at timestamptz, subject text, sanitised text, parties text,
       tels text[], mailtos text[], party_names text, subject_key text, search_text text, tags text[]
     ) ON COMMIT DROP`,
    copy: `COPY ${stage} (id, vcon, created_at, subject, sanitised, parties,
       tels, mailtos, party_names, subject_key, search_text, tags) FROM STDIN`,
    merge: `INSERT INTO ${t} AS row (${COLUMNS})
       SELECT s.id, s.vcon, s.id,
              COALESCE(s.created_at, (SELECT e.created_at FROM ${t} e WHERE e.id = s.id), now()), now(),
              s.subject, COALESCE(s.sanitised, s.vcon)::jsonb, s.parties::jsonb,
              s.tels, s.mailtos, s.party_names, s.subject_key, s.search_text, s.tags, clock_timestamp()
       FROM ${stage} s
       ON CONFLICT (id) DO UPDATE SET ${UPDATE_ALL}, created_at = EXCLUDED.created_at`,
  };
}

/**
 * The document: Python-made rows may hold only a version string in `vcon`, then it is `vcon_json`.
 * `substr` reads a slice of a TOASTed value (`left` would decompress the whole document once more
 * before it is sent).
 */
export const BODY_SQL = `CASE WHEN substr(vcon, 1, 1) = '{' THEN vcon ELSE vcon_json::text END`;
/** created_at as ISO 8601 UTC with microseconds: what cursors carry, so no precision is lost. */
export const CURSOR_TIME_SQL = `to_char(created_at::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
