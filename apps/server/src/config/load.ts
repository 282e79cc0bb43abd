import { existsSync, readFileSync } from "node:fs";
import { extname, resolve } from "node:path";
import { ValidationError, type ValidationIssue } from "@vcon/storage-core";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { zodIssueMessage } from "./did-you-mean.js";
import { interpolateEnv } from "./interpolate.js";
import {
  API_SCOPES,
  type AppConfig,
  appConfigSchema,
  DEFAULT_DATA_DIR,
  MIN_API_KEY_LENGTH,
} from "./schema.js";
import { fromVconServerModules } from "./vcon-server-compat.js";

/** Looked for in the working directory when neither `--config` nor `VCON_SERVER_CONFIG` names a file. */
export const CONFIG_FILE_NAMES = ["vcon-server.yaml", "vcon-server.yml", "vcon-server.json"];

export interface LoadConfigOptions {
  /** A config file; when left out, `VCON_SERVER_CONFIG`, then the files above, then the embedded default. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Where a configuration came from: a file, the POSTGRES_* environment, the embedded default, or code. */
export type ConfigOrigin = "file" | "environment" | "defaults" | "code";

export interface LoadedConfig {
  config: AppConfig;
  /** The file read, "environment" (POSTGRES_* with no file), "defaults", or what code passed. */
  source: string;
  origin?: ConfigOrigin;
  /** The file as written, before environment references were replaced: printing shows these. */
  raw: unknown;
  /** Values from the environment that must never be printed or logged. */
  secrets: string[];
  /** What was translated on loading (vcon-server `module:` entries): logged at start. */
  notices?: string[];
}

/** With no configuration at all: embedded PostgreSQL (PGlite) in `./.data/pglite`. */
export function defaultConfigInput(): Record<string, unknown> {
  return {
    storages: { primary: { adapter: "postgres", options: { embedded: { dataDir: DEFAULT_DATA_DIR } } } },
  };
}

/** The variables that name a PostgreSQL server, as in vcon-server: any of them set means "use that server". */
export const POSTGRES_ENV_NAMES = [
  "POSTGRES_URL",
  "POSTGRES_HOST",
  "POSTGRES_PORT",
  "POSTGRES_DB",
  "POSTGRES_USER",
  "POSTGRES_PASSWORD",
] as const;

/**
 * With no file but POSTGRES_* in the environment: a postgres primary on that server. The adapter
 * reads the variables itself, so no secret is copied into the configuration.
 */
export function environmentConfigInput(): Record<string, unknown> {
  return { storages: { primary: { adapter: "postgres", options: {} } } };
}

/** True when the environment names a PostgreSQL server (empty values count as unset). */
export function hasPostgresEnvironment(env: NodeJS.ProcessEnv): boolean {
  return POSTGRES_ENV_NAMES.some((name) => env[name] !== undefined && env[name] !== "");
}

/** Reads, interpolates, applies environment overrides and validates. Throws `ValidationError` listing every problem. */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  // A path the user typed is relative to where they typed it: `pnpm start --config x.yaml` at the
  // repository root runs the app in apps/server, and pnpm/npm say where it was invoked in INIT_CWD.
  const typedFrom = options.cwd ?? env.INIT_CWD ?? cwd;
  const file = findConfigFile(options.file ?? env.VCON_SERVER_CONFIG, cwd, typedFrom);
  if (file) return configFrom(readConfigFile(file), file, env, "file");
  if (hasPostgresEnvironment(env))
    return configFrom(environmentConfigInput(), "environment", env, "environment");
  return configFrom(defaultConfigInput(), "defaults", env, "defaults");
}

/** Validates an already parsed config object (from a file, or built in code). */
export function configFrom(
  raw: unknown,
  source: string,
  env: NodeJS.ProcessEnv = process.env,
  origin: ConfigOrigin = "code",
): LoadedConfig {
  const issues: ValidationIssue[] = [];
  const interpolated = interpolateEnv(raw, env, issues);
  const compat = fromVconServerModules(interpolated.value, issues);
  const withOverrides = applyEnvOverrides(compat.value, env);
  const withKey = applyEnvApiKey(withOverrides, env.VCON_API_KEY, issues);
  const parsed = appConfigSchema.safeParse(withKey);
  if (!parsed.success) issues.push(...zodIssues(parsed.error));
  if (issues.length > 0 || !parsed.success)
    throw new ValidationError(`Invalid configuration (${source})`, issues);
  const secrets = [...interpolated.secrets, ...apiKeyValues(parsed.data)];
  return {
    config: parsed.data,
    source,
    origin,
    raw,
    secrets: [...new Set(secrets)],
    notices: compat.notices,
  };
}

/** `VCON_API_KEY`: one more key, with every scope. Refused next to an explicit `server.auth: none`. */
function applyEnvApiKey(value: unknown, key: string | undefined, issues: ValidationIssue[]): unknown {
  if (key === undefined || key === "" || typeof value !== "object" || value === null) return value;
  const config = value as { server?: { auth?: unknown } };
  const server = config.server ?? {};
  const auth = server.auth;
  if (key.length < MIN_API_KEY_LENGTH || key.trim() !== key) {
    // Named by the variable, not by the key list it would join.
    issues.push({
      path: "VCON_API_KEY",
      message: `an API key has at least ${MIN_API_KEY_LENGTH} characters and no leading or trailing spaces`,
    });
    return value;
  }
  if (auth === "none") {
    issues.push({
      path: "server.auth",
      message: "is none, but VCON_API_KEY is set: remove one of them",
    });
    return value;
  }
  const keys = typeof auth === "object" && auth !== null ? ((auth as { keys?: unknown }).keys ?? []) : [];
  const envKey = { name: "VCON_API_KEY", key, scopes: [...API_SCOPES] };
  return {
    ...config,
    server: { ...server, auth: { ...(auth as object), keys: [...(keys as unknown[]), envKey] } },
  };
}

/** Key values are secrets wherever they came from: never printed, masked in every message. */
function apiKeyValues(config: AppConfig): string[] {
  const auth = config.server.auth;
  return auth === "none" ? [] : auth.keys.map((k) => k.key);
}

function findConfigFile(given: string | undefined, cwd: string, typedFrom: string): string | undefined {
  if (given) {
    const path = resolve(typedFrom, given);
    if (!existsSync(path)) {
      throw new ValidationError("Configuration file not found", [
        { path: "config", message: `no file at ${path}` },
      ]);
    }
    return path;
  }
  return CONFIG_FILE_NAMES.map((name) => resolve(cwd, name)).find((path) => existsSync(path));
}

function readConfigFile(path: string): unknown {
  const text = readFileSync(path, "utf8");
  try {
    return extname(path) === ".json" ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (error) {
    throw new ValidationError(`Configuration file ${path} cannot be parsed`, [
      { path: "$", message: (error as Error).message.split("\n")[0] ?? "parse error" },
    ]);
  }
}

/** `PORT`, `HOST` and `LOG_LEVEL` win over the file: the usual knobs of a deployed service. */
function applyEnvOverrides(value: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const config = value as Record<string, unknown>;
  const server = { ...(typeof config.server === "object" && config.server !== null ? config.server : {}) };
  const overrides: Record<string, string | undefined> = {
    port: env.PORT,
    host: env.HOST,
    logLevel: env.LOG_LEVEL,
  };
  for (const [key, override] of Object.entries(overrides)) {
    if (override !== undefined && override !== "") (server as Record<string, unknown>)[key] = override;
  }
  return { ...config, server };
}

function zodIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.map(String).join(".") : "$",
    message: zodIssueMessage(issue, appConfigSchema),
  }));
}
