import { ValidationError } from "@vcon/storage-core/adapter";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Schema and table names come from configuration: only plain identifiers pass, never SQL. */
export function requireIdentifier(value: string, field: string): string {
  if (!IDENTIFIER.test(value)) {
    throw new ValidationError("Invalid identifier", [
      {
        path: `options.${field}`,
        message: "use letters, digits and underscores (at most 63), not starting with a digit",
      },
    ]);
  }
  return value;
}

/** Double-quoted identifier; safe because `requireIdentifier` admits no quotes. */
export function quote(identifier: string): string {
  return `"${identifier}"`;
}

export interface TableName {
  schema: string;
  table: string;
  /** `"schema"."table"` */
  qualified: string;
}

export function tableName(schema: string, table: string): TableName {
  requireIdentifier(schema, "schema");
  requireIdentifier(table, "table");
  return { schema, table, qualified: `${quote(schema)}.${quote(table)}` };
}
