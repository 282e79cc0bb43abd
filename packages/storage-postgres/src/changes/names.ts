import { quote, type TableName } from "../sql/identifiers.js";

/** The change log of one table, each name as SQL writes it (migrations 0003 and 0004, see retarget). */
export interface ChangeLogNames {
  /** `"schema"."<table>_changes"`: one row per change not acknowledged yet. */
  table: string;
  /** `"schema"."<table>_record_changes"`: the function the change log's triggers call. */
  recorder: string;
  /** `"schema"."<table>_change_claim"`: who consumes the change log (at most one row). */
  claim: string;
}

export function changeLogNames(target: TableName): ChangeLogNames {
  const schema = quote(target.schema);
  return {
    table: `${schema}.${quote(`${target.table}_changes`)}`,
    recorder: `${schema}.${quote(`${target.table}_record_changes`)}`,
    claim: `${schema}.${quote(`${target.table}_change_claim`)}`,
  };
}
