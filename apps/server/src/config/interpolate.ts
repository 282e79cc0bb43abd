import type { ValidationIssue } from "@vcon/storage-core";

/** `${NAME}` or `${NAME:-fallback}`; `$${` writes a literal `${`. */
const REFERENCE = /\$(\$)?\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const SECRET_WORD = /pass|secret|token|credential|api_?key|private_?key|^key$/i;

export interface Interpolated {
  value: unknown;
  /** Values taken from the environment that must never be printed. */
  secrets: string[];
}

/**
 * Replaces environment references in every string of a parsed config file.
 * A value is treated as secret when its variable or its key is named like one (password, token, ...).
 */
export function interpolateEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  issues: ValidationIssue[],
  path = "",
  key = "",
): Interpolated {
  if (typeof value === "string") return interpolateString(value, env, issues, path, key);
  if (Array.isArray(value)) {
    const secrets: string[] = [];
    const items = value.map((item, index) => {
      const out = interpolateEnv(item, env, issues, `${path}[${index}]`, key);
      secrets.push(...out.secrets);
      return out.value;
    });
    return { value: items, secrets };
  }
  if (typeof value === "object" && value !== null) {
    const secrets: string[] = [];
    const object: Record<string, unknown> = {};
    for (const [childKey, child] of Object.entries(value)) {
      const out = interpolateEnv(child, env, issues, path ? `${path}.${childKey}` : childKey, childKey);
      secrets.push(...out.secrets);
      object[childKey] = out.value;
    }
    return { value: object, secrets };
  }
  return { value, secrets: [] };
}

function interpolateString(
  text: string,
  env: NodeJS.ProcessEnv,
  issues: ValidationIssue[],
  path: string,
  key: string,
): Interpolated {
  const secrets: string[] = [];
  const value = text.replace(
    REFERENCE,
    (match, escaped: string | undefined, name: string, fallback?: string) => {
      if (escaped) return match.slice(1);
      const found = env[name] ?? fallback;
      if (found === undefined) {
        issues.push({
          path,
          message: `environment variable ${name} is not set (write \${${name}:-default} for a default)`,
        });
        return "";
      }
      if (SECRET_WORD.test(name) || SECRET_WORD.test(key)) secrets.push(found);
      return found;
    },
  );
  return { value, secrets };
}

/** True when a config string refers to the environment, so printing shows the reference instead. */
export function hasEnvReference(text: string): boolean {
  REFERENCE.lastIndex = 0;
  return REFERENCE.test(text);
}

/** True when a key names something that must not be printed. */
export function isSecretKey(key: string): boolean {
  return SECRET_WORD.test(key);
}
