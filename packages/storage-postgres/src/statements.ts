import { createHash } from "node:crypto";
import type { TableName } from "./identifiers.js";

/** The hot-path SQL for one table, written once so every call reuses the same prepared statement. */
export interface Statements {
  save: NamedStatement;
  saveMany: NamedStatement;
  get: NamedStatement;
  exists: NamedStatement;
  delete: NamedStatement;
}

export interface NamedStatement {
  /** Prepared-statement name, unique per table. */
  name: string;
  text: string;
}

/**
 * `vcon` keeps the exact text; `vcon_json` gets the same text cast to jsonb, or a sanitised copy when
 * jsonb cannot hold it (`$5`, see jsonb.ts); `parties` only for signed vCons, whose parties are inside
 * the payload (`$6`). A save without created_at keeps the stored one.
 */
export function statements(target: TableName): Statements {
  const t = target.qualified;
  const suffix = createHash("sha1").update(t).digest("hex").slice(0, 10);
  const named = (name: string, text: string): NamedStatement => ({ name: `vcon_${name}_${suffix}`, text });
  return {
    save: named(
      "save",
      `INSERT INTO ${t} AS row (id, vcon, uuid, created_at, updated_at, subject, vcon_json, parties)
       VALUES ($1, $2, $1, COALESCE($3::timestamptz, now()), now(), $4, COALESCE($5::text, $2)::jsonb, $6::jsonb)
       ON CONFLICT (id) DO UPDATE SET
         vcon = EXCLUDED.vcon, uuid = EXCLUDED.uuid,
         created_at = CASE WHEN $3::timestamptz IS NULL THEN row.created_at ELSE EXCLUDED.created_at END,
         updated_at = now(), subject = EXCLUDED.subject, vcon_json = EXCLUDED.vcon_json,
         parties = EXCLUDED.parties`,
    ),
    // One statement per chunk: atomic by itself, one round trip.
    saveMany: named(
      "save_many",
      `WITH input AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::jsonb[])
           AS i(id, vcon, created_at, subject, sanitised, parties)
       )
       INSERT INTO ${t} AS row (id, vcon, uuid, created_at, updated_at, subject, vcon_json, parties)
       SELECT input.id, input.vcon, input.id, COALESCE(input.created_at, existing.created_at, now()), now(),
              input.subject, COALESCE(input.sanitised, input.vcon)::jsonb, input.parties
       FROM input LEFT JOIN ${t} existing ON existing.id = input.id
       -- Rows are locked in id order, so concurrent batches sharing uuids cannot deadlock.
       ORDER BY input.id
       ON CONFLICT (id) DO UPDATE SET
         vcon = EXCLUDED.vcon, uuid = EXCLUDED.uuid, created_at = EXCLUDED.created_at,
         updated_at = now(), subject = EXCLUDED.subject, vcon_json = EXCLUDED.vcon_json,
         parties = EXCLUDED.parties`,
    ),
    get: named("get", `SELECT ${BODY_SQL} AS body FROM ${t} WHERE id = $1`),
    exists: named("exists", `SELECT 1 AS found FROM ${t} WHERE id = $1`),
    delete: named("delete", `DELETE FROM ${t} WHERE id = $1`),
  };
}

/** The document: Python-made rows may hold only a version string in `vcon`, then it is `vcon_json`. */
export const BODY_SQL = `CASE WHEN left(vcon, 1) = '{' THEN vcon ELSE vcon_json::text END`;
/** created_at as ISO 8601 UTC with microseconds: what cursors carry, so no precision is lost. */
export const CURSOR_TIME_SQL = `to_char(created_at::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
