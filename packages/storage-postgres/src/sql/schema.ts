import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  check,
  index,
  jsonb,
  pgSchema,
  pgTable,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";

/**
 * The `vcons` table, column for column as vcon-server's Python module lays it out, plus the indexes
 * search needs. The migrations in `drizzle/` are generated from `vcons` below with drizzle-kit; other
 * schema or table names reuse them with the identifiers substituted (see `migrate.ts`).
 */
function columns() {
  return {
    /** Primary key: the vCon's uuid. */
    id: uuid("id").primaryKey(),
    /** The document text exactly as received, so signatures over the bytes stay verifiable. */
    vcon: text("vcon").notNull(),
    uuid: uuid("uuid").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "string" }).defaultNow(),
    subject: text("subject"),
    /** The same document as jsonb, for queries. */
    vconJson: jsonb("vcon_json"),
    /**
     * Party keys (tel, mailto, name) of a signed vCon, read from its JWS payload; null otherwise, since
     * `vcon_json -> 'parties'` has them. Not in the Python module's table; it ignores the column.
     */
    parties: jsonb("parties"),
    // Search keys, computed in JS from core's rules when the row is written (see keys.ts), so the
    // database compares them exactly as core's reference matcher does: JS toLowerCase, code units.
    /** Every party's tel. */
    tels: text("tels").array(),
    /** Every party's mailto, lower-cased. */
    mailtos: text("mailtos").array(),
    /** Party names, lower-cased, joined by KEY_BREAK (no filter spans two names). */
    partyNames: text("party_names"),
    /** The subject, lower-cased. */
    subjectKey: text("subject_key"),
    /** Core's searchable text (`vconSearchText`), lower-cased, pieces joined by KEY_BREAK. */
    searchText: text("search_text"),
    /** Core's tag terms (`tagTerms(vconTags(...))`): each tag, and the key of every `key:value`. */
    tags: text("tags").array(),
    /**
     * When the keys above were computed; null for rows written by another program (vcon-server's
     * Python module) or not backfilled yet: search rechecks those in JS, `backfill` computes their keys.
     */
    keyedAt: timestamp("keyed_at", { withTimezone: true, mode: "string" }),
  };
}

type VconColumns = ReturnType<typeof columns>;

function indexes(prefix: string) {
  return (t: { [K in keyof VconColumns]: import("drizzle-orm/pg-core").AnyPgColumn }) => [
    index(`${prefix}_uuid_idx`).on(t.uuid),
    // (created_at, id) is the order of every page and export: keyset pagination walks this index.
    index(`${prefix}_created_at_idx`).on(t.createdAt, t.id),
    // Exact keys: array containment (`tels @> ARRAY[...]`) is what these GIN indexes serve. No pending
    // list (fastupdate off): a row adds one to three entries, and a lookup after a bulk load would
    // otherwise scan up to 4 MB of pending entries until VACUUM merges them (3.5 ms instead of 0.05 ms
    // for one tel at 100,000 rows, measured).
    index(`${prefix}_tels_idx`).using("gin", t.tels).with({ fastupdate: false }),
    index(`${prefix}_mailtos_idx`).using("gin", t.mailtos).with({ fastupdate: false }),
    index(`${prefix}_tags_idx`).using("gin", t.tags).with({ fastupdate: false }),
    // Substrings: pg_trgm's trigram GIN indexes serve `LIKE '%...%'` for filters of 3 characters or more.
    // A row adds hundreds of trigrams, so these keep a pending list, but a small one (256 kB).
    index(`${prefix}_party_names_idx`)
      .using("gin", sql`${t.partyNames} gin_trgm_ops`)
      .with({ gin_pending_list_limit: 256 }),
    index(`${prefix}_subject_key_idx`)
      .using("gin", sql`${t.subjectKey} gin_trgm_ops`)
      .with({ gin_pending_list_limit: 256 }),
    index(`${prefix}_search_text_idx`)
      .using("gin", sql`${t.searchText} gin_trgm_ops`)
      .with({ gin_pending_list_limit: 256 }),
    // Rows without keys, so search finds them (and backfill walks them) without reading the table.
    index(`${prefix}_unkeyed_idx`).on(t.id).where(sql`${t.keyedAt} IS NULL`),
  ];
}

/** The default table, `public.vcons`: what drizzle-kit generates the migrations from. */
export const vcons = pgTable("vcons", columns(), indexes("vcons"));

/** The same table under another schema or name. Both must be valid identifiers (checked by the caller). */
export function vconsTable(schemaName: string, tableName: string) {
  if (schemaName === "public") return pgTable(tableName, columns(), indexes(tableName));
  return pgSchema(schemaName).table(tableName, columns(), indexes(tableName));
}

export type VconsTable = typeof vcons;

/**
 * The change log of `vcons` (`<table>_changes`), a transactional outbox: while recording is on, triggers
 * add one row per uuid written, in the write's own transaction (see src/changes/). Rows are deleted as
 * their consumer acknowledges them, so the table holds only what is still owed.
 */
export const vconsChanges = pgTable("vcons_changes", {
  /** Grows in recording order; consumers acknowledge by it. */
  id: bigserial("id", { mode: "bigint" }).primaryKey(),
  /** The vCon written (the row's `id`); its current state is read from `vcons` when the change is read. */
  uuid: uuid("uuid").notNull(),
  recordedAt: timestamp("recorded_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
});

/**
 * Who consumes the change log (`<table>_change_claim`, at most one row): acknowledging forgets, so two
 * consumers would split the log between them. Claimed and renewed by `claimChanges`, emptied when
 * recording is turned off.
 */
export const vconsChangeClaim = pgTable(
  "vcons_change_claim",
  {
    /** Always true: the primary key that keeps the table to one row. */
    singleton: boolean("singleton").primaryKey().default(true),
    holder: text("holder").notNull(),
    /** When the holder last claimed (the server's clock). */
    claimedAt: timestamp("claimed_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
  },
  (table) => [check("vcons_change_claim_singleton", sql`${table.singleton}`)],
);
