import { UnavailableError } from "@vcon/storage-core/adapter";
import type { Connection, Transaction } from "../connect/index.js";
import { isPermissionDenied } from "../errors.js";
import type { TableName } from "../sql/identifiers.js";
import { lockSchemaChanges } from "../sql/migrations.js";
import { changeLogNames } from "./names.js";

/**
 * The triggers that record changes, one per event: a trigger with transition tables serves one event
 * only. Statement-level, so a multi-row write runs the recorder once. Their names are per table, so
 * the same four serve every table.
 */
const TRIGGERS = [
  { name: "vcon_record_inserts", on: "AFTER INSERT", referencing: "REFERENCING NEW TABLE AS new_rows" },
  {
    name: "vcon_record_updates",
    on: "AFTER UPDATE",
    referencing: "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
  },
  { name: "vcon_record_deletes", on: "AFTER DELETE", referencing: "REFERENCING OLD TABLE AS old_rows" },
  // TRUNCATE has no transition table: the recorder reads the table before it is emptied.
  { name: "vcon_record_truncates", on: "BEFORE TRUNCATE", referencing: "" },
] as const;

const TRIGGER_NAMES = TRIGGERS.map((trigger) => trigger.name);

type Query = Transaction["query"];

/**
 * Turns recording on (the triggers, which live in the database: every client's writes record, across
 * restarts) or off (no triggers, and the pending changes forgotten in the same transaction), under the
 * migrations' advisory lock, so calls from several processes apply one after the other. DDL runs only
 * when the table is not as asked: a role without DDL rights can confirm a log its owner turned on, and
 * turn off one that is off (forgetting what is pending).
 */
export async function recordChanges(connection: Connection, target: TableName, on: boolean): Promise<void> {
  const query: Query = (text, values) => connection.query(text, values);
  if (on && (await triggersPresent(query, target)).complete) return;
  try {
    await connection.transaction(async ({ query }) => {
      await lockSchemaChanges(query, target);
      if (on) await createTriggers(query, target);
      else await dropTriggers(query, target);
    });
  } catch (error) {
    if (!isPermissionDenied(error)) throw error;
    throw new UnavailableError(
      `Turning the change log of ${target.qualified} ${on ? "on" : "off"} creates or drops triggers on it (42501): do it once with the role that runs the migrations (the owner of the table); after that, recordChanges(true) needs no DDL rights.`,
      { cause: error, retryable: false },
    );
  }
}

async function createTriggers(query: Query, target: TableName): Promise<void> {
  const { recorder } = changeLogNames(target);
  const [found] = await query<{ made: boolean }>("SELECT to_regprocedure($1) IS NOT NULL AS made", [
    `${recorder}()`,
  ]);
  if (!found?.made) {
    throw new UnavailableError(
      `The change log of ${target.qualified} is not there (no ${recorder}()): run the migrations (migrate(), \`vcon-storage-postgres migrate\`, or autoMigrate) to apply 0003_change_log.`,
      { retryable: false },
    );
  }
  for (const { name, on, referencing } of TRIGGERS) {
    await query(
      `CREATE OR REPLACE TRIGGER ${name} ${on} ON ${target.qualified} ${referencing} FOR EACH STATEMENT EXECUTE FUNCTION ${recorder}()`,
    );
  }
}

async function dropTriggers(query: Query, target: TableName): Promise<void> {
  if ((await triggersPresent(query, target)).any) {
    for (const { name } of TRIGGERS) await query(`DROP TRIGGER IF EXISTS ${name} ON ${target.qualified}`);
  }
  // After the drops (which wait for the writes in flight), so nothing recorded before them is kept.
  const { table, claim } = changeLogNames(target);
  await query(`DELETE FROM ${table}`);
  // A log that is off has no consumer: whoever turns it on again claims it afresh.
  await query(`DELETE FROM ${claim}`);
}

/**
 * What pg_trigger (readable by every role) holds for the table: `complete` when all four triggers are
 * there, enabled, and call this table's recorder; `any` when one of them is there at all.
 */
async function triggersPresent(
  query: Query,
  target: TableName,
): Promise<{ complete: boolean; any: boolean }> {
  const [row] = await query<{ working: number; found: number }>(
    `SELECT count(*) FILTER (WHERE tgenabled <> 'D' AND tgfoid = to_regprocedure($3))::int AS working,
            count(*)::int AS found
     FROM pg_trigger WHERE tgrelid = $1::regclass AND tgname = ANY($2::text[])`,
    [target.qualified, TRIGGER_NAMES, `${changeLogNames(target).recorder}()`],
  );
  return { complete: row?.working === TRIGGERS.length, any: (row?.found ?? 0) > 0 };
}
