import type { Scale } from "../scale.js";

/** Everything a target needs to reach its stores; serialisable, so export child processes get the same. */
export interface TargetSettings {
  scale: Scale;
  /** A PostgreSQL server URL whose user may create databases. */
  postgresUrl: string;
  redisUrl: string;
  /** A scratch directory for file stores and PGlite data. */
  workDir: string;
}
