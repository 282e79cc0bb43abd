import { ValidationError } from "@vcon/storage-core";
import { type ConnectionTarget, parseUrl, type ResolvedOptions, resolveTarget } from "../options.js";

/**
 * The replica URLs in force: `options.replicas`, else POSTGRES_REPLICA_URLS when the primary comes from
 * the environment as well (a `url` or `host` option names a server of its own, whose replicas the
 * environment cannot know).
 */
export function replicaUrls(options: ResolvedOptions, env: NodeJS.ProcessEnv = process.env): string[] {
  if (options.replicas) return options.replicas;
  if (options.url || options.host || !env.POSTGRES_REPLICA_URLS) return [];
  return env.POSTGRES_REPLICA_URLS.split(",")
    .map((url) => url.trim())
    .filter((url) => url.length > 0);
}

/**
 * Where each replica is. A URL must name its host; user, password and database default to the
 * primary's (a standby is a copy of it), the port to 5432. Replicas need a server connection of the
 * adapter's own: with a borrowed pool, PGlite or embedded mode they are a VALIDATION.
 */
export function replicaTargets(
  options: ResolvedOptions,
  env: NodeJS.ProcessEnv = process.env,
): ConnectionTarget[] {
  const urls = replicaUrls(options, env);
  if (urls.length === 0) return [];
  const fromOptions = options.replicas !== undefined;
  const pathOf = (index: number) =>
    fromOptions ? `options.replicas[${index}]` : "env.POSTGRES_REPLICA_URLS";
  if (options.pool || options.pglite || options.db || options.embedded) {
    throw new ValidationError("Read replicas need a server connection of the adapter's own", [
      { path: "options.replicas", message: "not available with pool, pglite, db or embedded" },
    ]);
  }
  const primary = resolveTarget(options, env);
  return urls.map((url, index) => {
    const parts = parseUrl(url, pathOf(index));
    if (!parts.host) {
      throw new ValidationError("Invalid replica URL", [
        { path: pathOf(index), message: "expected postgres://host:port (user, password, database optional)" },
      ]);
    }
    return {
      host: parts.host,
      port: parts.port ?? 5432,
      database: parts.database ?? primary.database,
      user: parts.user ?? primary.user,
      // The primary's password goes only with the primary's user.
      password:
        parts.password ?? (parts.user === undefined || parts.user === primary.user ? primary.password : ""),
      params: parts.params ?? primary.params,
    };
  });
}
