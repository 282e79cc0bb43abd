import { type PreparedVcon, prepareVcon } from "@vcon/storage-core/adapter";
import type { Connection } from "../connect/index.js";
import type { TableName } from "./identifiers.js";
import { searchKeys } from "./keys.js";
import { keyValues } from "./row.js";
import { BODY_SQL } from "./statements.js";

export interface BackfillOptions {
  /** Rows keyed per statement (each its own short transaction). */
  batchSize?: number;
  /** Called after each batch with the running totals. */
  onProgress?: (progress: BackfillResult) => void;
}

export interface BackfillResult {
  /** Rows that got their search keys. */
  keyed: number;
  /** Rows left without keys because core cannot read their document (search never matches them). */
  unreadable: number;
}

/**
 * Computes the search keys of every row that has none (rows from before the keys existed, or written by
 * vcon-server's Python module), a batch at a time in id order. Each batch is one UPDATE, so no lock is
 * held for long and writers go on meanwhile; a row rewritten between read and update is left for the
 * next run (its document no longer hashes the same).
 */
export async function backfillKeys(
  connection: Connection,
  target: TableName,
  { batchSize = 500, onProgress }: BackfillOptions = {},
): Promise<BackfillResult> {
  const t = target.qualified;
  const select = `SELECT id, ${BODY_SQL} AS body, md5(vcon) AS version FROM ${t}
    WHERE keyed_at IS NULL AND id > $1::uuid ORDER BY id LIMIT $2`;
  const update = `UPDATE ${t} AS row SET tels = k.tels::text[], mailtos = k.mailtos::text[],
      party_names = k.party_names, subject_key = k.subject_key, search_text = k.search_text,
      tags = k.tags::text[], keyed_at = clock_timestamp()
    FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
      AS k(id, version, tels, mailtos, party_names, subject_key, search_text, tags)
    WHERE row.id = k.id AND row.keyed_at IS NULL AND md5(row.vcon) = k.version`;
  const result: BackfillResult = { keyed: 0, unreadable: 0 };
  let after = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    const rows = await connection.query<{ id: string; body: string | null; version: string }>(select, [
      after,
      batchSize,
    ]);
    if (rows.length === 0) return result;
    after = rows.at(-1)!.id;
    const columns: (string | null)[][] = [[], [], [], [], [], [], [], []];
    for (const row of rows) {
      const vcon = readable(row.body);
      if (!vcon) {
        result.unreadable++;
        continue;
      }
      [row.id, row.version, ...keyValues(searchKeys(vcon))].forEach((value, i) => {
        columns[i]!.push(value);
      });
    }
    if (columns[0]!.length > 0) {
      const updated = await connection.query<{ id: string }>(`${update} RETURNING row.id`, columns);
      result.keyed += updated.length;
    }
    onProgress?.({ ...result });
  }
}

function readable(body: string | null): PreparedVcon | null {
  if (body === null) return null;
  try {
    return prepareVcon(body);
  } catch {
    return null;
  }
}
