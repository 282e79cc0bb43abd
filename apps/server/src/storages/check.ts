import {
  type AdapterDefinition,
  type AdapterRegistry,
  isStorageError,
  parseOptions,
  ValidationError,
  type ValidationIssue,
} from "@vcon/storage-core";
import { didYouMean, optionKeys } from "../config/did-you-mean.js";
import type { AppConfig, StorageEntry } from "../config/schema.js";
import { renameFailure, withoutIssueText } from "./failure.js";

export interface CheckOptions {
  /**
   * Also validate option values with each adapter's schema (`config --check`). Opening does that
   * itself, naming the storage, so the check before opening looks at names and keys only.
   */
  values?: boolean;
}

/**
 * Resolves every configured adapter and checks its option keys before anything is opened, so every
 * problem is listed at once: a misspelt adapter name or option key with the nearest known one, an
 * adapter that is known but cannot be loaded with the registry's reason. Throws one `ValidationError`;
 * a load failure that is not a configuration problem (the package throws on import) is thrown as it
 * is, under the storage's name.
 */
export async function checkStorages(
  config: AppConfig,
  registry: AdapterRegistry,
  options: CheckOptions = {},
): Promise<void> {
  const issues: ValidationIssue[] = [];
  for (const [name, entry] of Object.entries(config.storages)) {
    const definition = await resolveAdapter(name, entry, registry, issues);
    if (!definition) continue;
    const unknownKeys = unknownOptionKeys(name, entry, definition);
    issues.push(...unknownKeys);
    // With misspelt keys the schema would only report the same keys again, without the suggestion.
    if (options.values && unknownKeys.length === 0) {
      try {
        await parseOptions(definition, entry.options);
      } catch (error) {
        if (!isStorageError(error, "VALIDATION")) throw error;
        issues.push(...error.issues.map((issue) => ({ ...issue, path: `storages.${name}.${issue.path}` })));
      }
    }
  }
  if (issues.length > 0) throw new ValidationError("Invalid storage configuration", issues);
}

async function resolveAdapter(
  name: string,
  entry: StorageEntry,
  registry: AdapterRegistry,
  issues: ValidationIssue[],
): Promise<AdapterDefinition<unknown> | undefined> {
  try {
    return await registry.resolve(entry.adapter);
  } catch (error) {
    if (!isStorageError(error, "VALIDATION"))
      throw renameFailure(error, `Storage "${name}" (adapter "${entry.adapter}") could not be loaded`, []);
    const path = `storages.${name}.adapter`;
    const known = registry.names();
    // Only a name the registry does not know gets a suggestion; a known one (or a package name) that
    // fails to load, e.g. not installed or not built, is reported with the registry's own reason.
    if (!known.includes(entry.adapter) && error.message.startsWith("Unknown adapter")) {
      issues.push({
        path,
        message: `unknown adapter "${entry.adapter}"${didYouMean(entry.adapter, known)} (known: ${known.join(", ")}; or a package name)`,
      });
    } else {
      const reason = withoutIssueText(error.message, error.issues);
      const details = error.issues.length > 0 ? error.issues.map((issue) => `: ${issue.message}`) : [""];
      issues.push(...details.map((detail) => ({ path, message: `${reason}${detail}` })));
    }
    return undefined;
  }
}

function unknownOptionKeys(
  name: string,
  entry: StorageEntry,
  definition: AdapterDefinition<unknown>,
): ValidationIssue[] {
  const keys = optionKeys(definition.options);
  // Options of adapters whose schema does not list its keys are left to the adapter.
  if (!keys) return [];
  return Object.keys(entry.options)
    .filter((key) => !keys.includes(key))
    .map((key) => ({
      path: `storages.${name}.options.${key}`,
      message: `adapter "${entry.adapter}" has no option "${key}"${didYouMean(key, keys)}`,
    }));
}
