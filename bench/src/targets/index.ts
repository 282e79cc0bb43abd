import { fileTarget } from "./file.js";
import { memoryTarget } from "./memory.js";
import { mysqlTarget } from "./mysql.js";
import { pgliteTarget } from "./pglite.js";
import { postgresTarget } from "./postgres.js";
import { redisTarget } from "./redis.js";
import type { TargetSettings } from "./settings.js";
import { sqliteTarget } from "./sqlite.js";
import type { Target } from "./target.js";

const FACTORIES: Record<string, (settings: TargetSettings) => Target> = {
  postgres: postgresTarget,
  pglite: pgliteTarget,
  memory: memoryTarget,
  redis: redisTarget,
  file: fileTarget,
  mysql: mysqlTarget,
  sqlite: sqliteTarget,
};

/** Every target name, in the order a full run measures them. */
export const TARGET_NAMES = Object.keys(FACTORIES);

export function createTarget(name: string, settings: TargetSettings): Target {
  const factory = FACTORIES[name];
  if (!factory) throw new Error(`Unknown bench target "${name}"; known: ${TARGET_NAMES.join(", ")}`);
  return factory(settings);
}
