import type { Tables } from "./schema.js";

/**
 * Multi-row statements come in a few fixed sizes, so mysql2's per-connection cache of prepared
 * statements holds a handful of shapes instead of one per batch length.
 */
export const ROW_SHAPES = [256, 64, 16, 4, 1] as const;

/** Splits `rows` into runs whose lengths are all in ROW_SHAPES (greedy, largest first). */
export function inShapes<T>(rows: readonly T[]): T[][] {
  const runs: T[][] = [];
  let at = 0;
  for (const size of ROW_SHAPES) {
    while (rows.length - at >= size) {
      runs.push(rows.slice(at, at + size));
      at += size;
    }
  }
  return runs;
}

function placeholders(rows: number, columns: number): string {
  const row = `(${Array.from({ length: columns }, () => "?").join(", ")})`;
  return Array.from({ length: rows }, () => row).join(", ");
}

/** The SQL of one storage's tables, built once per adapter. */
export class Statements {
  readonly get: string;
  readonly exists: string;
  readonly deleteDocument: string;
  readonly deleteKeysOf: string;
  readonly maxPacket = "SELECT @@max_allowed_packet AS packet, VERSION() AS version";
  readonly #t: Tables;
  readonly #upserts = new Map<number, string>();
  readonly #keyInserts = new Map<number, string>();
  readonly #keyDeletes = new Map<number, string>();

  constructor(tables: Tables) {
    this.#t = tables;
    this.get = `SELECT document FROM ${tables.documents} WHERE uuid = ?`;
    this.exists = `SELECT 1 AS found FROM ${tables.documents} WHERE uuid = ?`;
    this.deleteDocument = `DELETE FROM ${tables.documents} WHERE uuid = ?`;
    this.deleteKeysOf = `DELETE FROM ${tables.keys} WHERE uuid = ?`;
  }

  /**
   * Upsert of `rows` documents; parameters per row: uuid, created_ms, has_created_at, updated_ms,
   * document. A row saved without created_at keeps the stored one (has_created_at = 0).
   */
  upsert(rows: number): string {
    let sql = this.#upserts.get(rows);
    if (sql === undefined) {
      sql = `INSERT INTO ${this.#t.documents} (uuid, created_ms, has_created, updated_ms, document)
             VALUES ${placeholders(rows, 5)}
             ON DUPLICATE KEY UPDATE
               created_ms = IF(VALUES(has_created) = 1, VALUES(created_ms), created_ms),
               updated_ms = VALUES(updated_ms), document = VALUES(document)`;
      this.#upserts.set(rows, sql);
    }
    return sql;
  }

  /** Insert of `rows` search keys; parameters per row: uuid, kind, value. */
  insertKeys(rows: number): string {
    let sql = this.#keyInserts.get(rows);
    if (sql === undefined) {
      sql = `INSERT INTO ${this.#t.keys} (uuid, kind, value) VALUES ${placeholders(rows, 3)}`;
      this.#keyInserts.set(rows, sql);
    }
    return sql;
  }

  /** Deletes the keys of `rows` uuids. */
  deleteKeys(rows: number): string {
    let sql = this.#keyDeletes.get(rows);
    if (sql === undefined) {
      sql = `DELETE FROM ${this.#t.keys} WHERE uuid IN (${Array.from({ length: rows }, () => "?").join(", ")})`;
      this.#keyDeletes.set(rows, sql);
    }
    return sql;
  }
}
