import { scrubSecrets } from "@vcon/storage-core";
import { stringify } from "yaml";
import { hasEnvReference, isSecretKey } from "./interpolate.js";
import type { LoadedConfig } from "./load.js";

const MASK = "***";

/**
 * The effective configuration, safe to print: environment references are shown as written
 * (`${POSTGRES_PASSWORD}`), secret-named keys are masked, and passwords inside URLs are masked.
 */
export function printableConfig(loaded: LoadedConfig): unknown {
  return mask(loaded.config, loaded.raw, "", loaded.secrets);
}

export function printConfig(loaded: LoadedConfig): string {
  return `# effective configuration (${loaded.source})\n${stringify(printableConfig(loaded))}`;
}

function mask(value: unknown, raw: unknown, key: string, secrets: readonly string[]): unknown {
  if (typeof value === "string") {
    if (isSecretKey(key)) return MASK;
    const fromEnv = typeof raw === "string" && hasEnvReference(raw);
    if (fromEnv && secrets.some((s) => value.includes(s))) return scrubTemplate(raw);
    // Only text that came from the environment can hold an environment secret: masking its value
    // elsewhere would turn a password like "postgres" into `adapter: ***`.
    return scrubSecrets(value, fromEnv ? secrets : []);
  }
  if (Array.isArray(value)) {
    return value.map((item, index) => mask(item, Array.isArray(raw) ? raw[index] : undefined, key, secrets));
  }
  if (typeof value === "object" && value !== null) {
    const rawObject = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
    return Object.fromEntries(
      Object.entries(value).map(([childKey, child]) => [
        childKey,
        isSecretKey(childKey) && typeof child !== "object"
          ? MASK
          : mask(child, rawObject[childKey], childKey, secrets),
      ]),
    );
  }
  return value;
}

/** Masks literal passwords in a template while keeping its `${NAME}` references readable. */
function scrubTemplate(template: string): string {
  const references: string[] = [];
  // A reference standing as a URL password loses its colon for a moment, so the URL rule leaves it alone.
  const tokenized = template
    .replace(/\$\{[^}]*\}/g, (reference) => `ENVREF${references.push(reference) - 1}X`)
    .replace(/:ENVREF(\d+)X@/g, "ENVCOLONREF$1X@");
  return scrubSecrets(tokenized)
    .replace(/ENVCOLONREF(\d+)X/g, (_, index: string) => `:${references[Number(index)]}`)
    .replace(/ENVREF(\d+)X/g, (_, index: string) => references[Number(index)]!);
}
