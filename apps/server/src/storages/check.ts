import {
  type AdapterRegistry,
  isStorageError,
  parseOptions,
  ValidationError,
  type ValidationIssue,
} from "@vcon/storage-core";
import type { AppConfig } from "../config/schema.js";
import { appRegistry } from "./registry.js";

/**
 * Resolves every configured adapter by name and validates its options with the adapter's own schema,
 * without opening anything. Throws one `ValidationError` listing every problem.
 */
export async function checkStorages(
  config: AppConfig,
  registry: AdapterRegistry = appRegistry(),
): Promise<void> {
  const issues: ValidationIssue[] = [];
  for (const [name, entry] of Object.entries(config.storages)) {
    try {
      const definition = await registry.resolve(entry.adapter);
      await parseOptions(definition, entry.options);
    } catch (error) {
      if (!isStorageError(error, "VALIDATION")) throw error;
      for (const issue of error.issues)
        issues.push({ path: `storages.${name}.${issue.path}`, message: issue.message });
    }
  }
  if (issues.length > 0) throw new ValidationError("Invalid storage configuration", issues);
}
