import { parseOptions, ValidationError } from "@vcon/storage-core";
import type { AppConfig } from "../config/schema.js";
import { renameFailure } from "../storages/failure.js";
import { appRegistry } from "../storages/registry.js";
import { stderrLogger } from "./output.js";

/**
 * Applies the migrations of the named storages (all when none is named) through each adapter
 * definition's optional `migrate`. Adapters without a schema (memory, file, ...) have nothing to do,
 * and say so. Returns one line per storage: the migrations applied, or "up to date".
 */
export async function migrateStorages(
  config: AppConfig,
  names: string[],
  secrets: readonly string[] = [],
): Promise<string[]> {
  const chosen = names.length > 0 ? names : Object.keys(config.storages);
  const unknown = chosen.filter((name) => !(name in config.storages));
  if (unknown.length > 0) {
    throw new ValidationError(`No storage named ${unknown.join(", ")}`, [
      { path: "storages", message: `configured: ${Object.keys(config.storages).join(", ")}` },
    ]);
  }
  const registry = appRegistry();
  const lines: string[] = [];
  for (const name of chosen) {
    const entry = config.storages[name]!;
    const definition = await registry.resolve(entry.adapter);
    if (!definition.migrate) {
      lines.push(`${name}: adapter "${entry.adapter}" has no migrations, nothing to do`);
      continue;
    }
    const options = await parseOptions(definition, entry.options);
    const { applied } = await definition
      .migrate(options, { name, logger: stderrLogger })
      .catch((error: unknown) => {
        throw renameFailure(
          error,
          `Storage "${name}" (adapter "${entry.adapter}") could not be migrated`,
          secrets,
        );
      });
    lines.push(
      applied.length > 0
        ? `${name}: applied ${applied.join(", ")} (adapter "${entry.adapter}")`
        : `${name}: up to date (adapter "${entry.adapter}")`,
    );
  }
  return lines;
}
