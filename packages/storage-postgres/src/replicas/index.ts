import type { Logger } from "@vcon/storage-core";
import type { Connection } from "../connect/index.js";
import { serverConnection } from "../connect/pool.js";
import { ErrorFunnel } from "../errors.js";
import { type ConnectionTarget, describeTarget, type ResolvedOptions } from "../options.js";
import { ReadRouter, type Route } from "./read-router.js";

export { ReadRouter, type Route } from "./read-router.js";
export type { ReplicaHealth, ReplicaStatus } from "./replica.js";
export { replicaTargets, replicaUrls } from "./targets.js";

/**
 * The read router: the primary's route, plus a pool of its own per replica target (from
 * `replicaTargets`, called before anything is opened). Pools connect lazily, so a replica that is down
 * costs nothing here.
 */
export function createReadRouter(
  options: ResolvedOptions,
  targets: readonly ConnectionTarget[],
  primary: Route,
  qualifiedTable: string,
  logger: Logger,
): ReadRouter {
  const replicas = targets.map((target): Route => {
    const connection: Connection = serverConnection(options, target);
    const context = { target: describeTarget(target), secrets: connection.secrets, qualifiedTable };
    return { connection, errors: new ErrorFunnel(context, logger) };
  });
  return new ReadRouter(primary, replicas, options, logger);
}
