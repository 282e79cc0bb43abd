import type { PreparedVcon } from "@vcon/storage-core/adapter";
import type { Connection } from "../connect/index.js";
import { isPermissionDenied } from "../errors.js";
import { copyChunks } from "./copy.js";
import { byUuid, rowColumns, rowValues } from "./row.js";
import type { Statements } from "./statements.js";

/**
 * Writes one chunk in one transaction (core's unit of atomicity). On a server: COPY into a staging
 * table, then one INSERT ... SELECT ... ON CONFLICT; on PGlite, or for a role without the TEMPORARY
 * privilege: one statement over parameter arrays. Either way the rows go in id order, so concurrent
 * batches sharing uuids lock in the same order.
 */
export class BatchWriter {
  readonly #connection: Connection;
  readonly #sql: Statements;
  readonly #onNoStaging: () => void;
  /** False once the server refused a temporary table (no TEMPORARY privilege): batches use unnest. */
  #staging = true;

  constructor(connection: Connection, sql: Statements, onNoStaging: () => void) {
    this.#connection = connection;
    this.#sql = sql;
    this.#onNoStaging = onNoStaging;
  }

  async write(chunk: readonly PreparedVcon[]): Promise<void> {
    if (chunk.length === 0) return;
    const sorted = [...chunk].sort(byUuid);
    if (this.#staging && (await this.#throughStaging(sorted))) return;
    const { name, text } = this.#sql.saveMany;
    await this.#connection.query(text, rowColumns(sorted), name);
  }

  /** False when the staging path is not available here (and nothing was written). */
  async #throughStaging(sorted: readonly PreparedVcon[]): Promise<boolean> {
    const { create, copy, merge } = this.#sql.stage;
    let refused = false;
    try {
      const staged = await this.#connection.transaction(async (tx) => {
        if (!tx.copy) return false;
        try {
          await tx.query(create);
        } catch (error) {
          // A role without the TEMPORARY privilege on the database: nothing was written yet.
          refused = isPermissionDenied(error);
          throw error;
        }
        await tx.copy(copy, copyChunks(sorted.map(rowValues)));
        await tx.query(merge);
        return true;
      });
      if (!staged) this.#staging = false;
      return staged;
    } catch (error) {
      if (!refused) throw error;
      this.#staging = false;
      this.#onNoStaging();
      return false;
    }
  }
}
