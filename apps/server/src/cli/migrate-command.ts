import { parseOptions } from "@vcon/storage-core";
import type { AppConfig } from "../config/schema.js";
import { appRegistry } from "../storage/storage-set.js";
import { stderrLogger } from "./output.js";

/** What an adapter definition offers when its backend has a schema to migrate. */
interface Migratable {
  migrate?: (options: unknown, context: { name: string; logger: typeof stderrLogger }) => Promise<unknown>;
}

/**
 * Applies the migrations of the named storages (all when none is named). Adapters without a schema
 * (memory, file, ...) have nothing to do, and say so.
 */
export async function migrateStorages(config: AppConfig, names: string[]): Promise<string[]> {
  const chosen = names.length > 0 ? names : Object.keys(config.storages);
  const unknown = chosen.filter((name) => !(name in config.storages));
  if (unknown.length > 0) {
    throw new Error(
      `No storage named ${unknown.join(", ")} (configured: ${Object.keys(config.storages).join(", ")})`,
    );
  }
  const registry = appRegistry();
  const lines: string[] = [];
  for (const name of chosen) {
    const entry = config.storages[name]!;
    const definition = await registry.resolve(entry.adapter);
    const { migrate } = definition as Migratable;
    if (typeof migrate !== "function") {
      lines.push(`${name}: adapter "${entry.adapter}" has no migrations, nothing to do`);
      continue;
    }
    const options = await parseOptions(definition, entry.options);
    await migrate.call(definition, options, { name, logger: stderrLogger });
    lines.push(`${name}: migrations applied (adapter "${entry.adapter}")`);
  }
  return lines;
}
