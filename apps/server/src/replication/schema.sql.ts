/**
 * The journal's tables. An entry is one write (save or delete of one uuid); a delivery is that entry
 * owed to one replica. An entry lives until every replica acknowledged it (or its delivery was
 * dropped on purpose).
 *
 * Entry states: `intent` (written before the primary was called; its outcome is not known yet),
 * `unresolved` (the outcome stays unknown: the process died, or the primary's answer was ambiguous;
 * settled from the primary's own state), `confirmed` (the primary committed it: deliverable).
 */
export const JOURNAL_SCHEMA = `
CREATE TABLE IF NOT EXISTS entries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  uuid TEXT NOT NULL,
  op TEXT NOT NULL CHECK (op IN ('save', 'delete')),
  body TEXT,
  state TEXT NOT NULL CHECK (state IN ('intent', 'unresolved', 'confirmed')),
  session TEXT NOT NULL,
  created_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_by_state ON entries (state, id);
CREATE TABLE IF NOT EXISTS deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  entry_id INTEGER NOT NULL,
  replica TEXT NOT NULL,
  uuid TEXT NOT NULL,
  dead INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  not_before_ms INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  UNIQUE (entry_id, replica)
);
CREATE INDEX IF NOT EXISTS deliveries_queue ON deliveries (replica, dead, entry_id);
CREATE INDEX IF NOT EXISTS deliveries_by_uuid ON deliveries (replica, uuid, entry_id);
CREATE TABLE IF NOT EXISTS replicas (
  name TEXT PRIMARY KEY,
  last_error TEXT,
  last_error_ms INTEGER,
  last_delivered_ms INTEGER
);
CREATE TABLE IF NOT EXISTS sessions (
  session TEXT PRIMARY KEY,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  started_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS identity (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  journal TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS lease (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  session TEXT NOT NULL,
  renewed_ms INTEGER NOT NULL
);
`;
