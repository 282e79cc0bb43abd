import { quote, type TableName } from "../sql/identifiers.js";

/** The change log of one table, each name as SQL writes it (migration 0003 makes both, see retarget). */
export interface ChangeLogNames {
  /** `"schema"."<table>_changes"`: one row per change not acknowledged yet. */
  table: string;
  /** `"schema"."<table>_record_changes"`: the function the change log's triggers call. */
  recorder: string;
}

export function changeLogNames(target: TableName): ChangeLogNames {
  const schema = quote(target.schema);
  return {
    table: `${schema}.${quote(`${target.table}_changes`)}`,
    recorder: `${schema}.${quote(`${target.table}_record_changes`)}`,
  };
}
