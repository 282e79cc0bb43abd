import pg from "pg";
import type { ResolvedOptions } from "../options.js";
import type { Connection } from "./connection.js";
import { borrowedPglite, embeddedConnection, isPglite } from "./pglite.js";
import { borrowedPool, serverConnection } from "./pool.js";

export { type Connection, type ConnectionMode, connectionMode, type Transaction } from "./connection.js";

/**
 * The connection the options ask for, first match wins: the caller's Drizzle database, pool or PGlite
 * (borrowed: never closed by us), embedded PGlite, or a pool of our own on a server. Made at once, with
 * no I/O: a pool connects on first use, embedded PGlite starts in the connection's `open()`.
 */
export function connectionFor(options: ResolvedOptions): Connection {
  const borrowed = options.db?.$client ?? options.pool ?? options.pglite;
  if (borrowed instanceof pg.Pool) return borrowedPool(borrowed, options.pipelineReads);
  if (isPglite(borrowed)) return borrowedPglite(borrowed);
  if (borrowed !== undefined) {
    throw new TypeError("db.$client is neither a pg.Pool nor a PGlite");
  }
  if (options.embedded) {
    return embeddedConnection(options.embedded === true ? undefined : options.embedded.dataDir);
  }
  return serverConnection(options);
}
