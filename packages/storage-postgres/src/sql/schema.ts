import { sql } from "drizzle-orm";
import { index, jsonb, pgSchema, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

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
  };
}

type VconColumns = ReturnType<typeof columns>;

function indexes(prefix: string) {
  return (t: { [K in keyof VconColumns]: import("drizzle-orm/pg-core").AnyPgColumn }) => [
    index(`${prefix}_uuid_idx`).on(t.uuid),
    // (created_at, id) is the order of every page and export: keyset pagination walks this index.
    index(`${prefix}_created_at_idx`).on(t.createdAt, t.id),
    // Party containment (`... @> '[{"tel": ...}]'`): tel search is served by this index.
    index(`${prefix}_parties_idx`).using(
      "gin",
      sql`(COALESCE(${t.parties}, ${t.vconJson} -> 'parties')) jsonb_path_ops`,
    ),
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
