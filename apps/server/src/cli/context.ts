import type { Command } from "commander";
import { type LoadedConfig, loadConfig } from "../config/load.js";
import { StorageSet } from "../storages/storage-set.js";
import { stderrLogger } from "./output.js";
import { drainReplication } from "./replication-drain.js";

export interface GlobalOptions {
  config?: string;
}

/** The options given before the command (`--config`), as every command reads them. */
export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

/** The file `--config` names, else the configuration found the way the server finds it. */
export function loadGlobalConfig(options: GlobalOptions): LoadedConfig {
  return loadConfig(options.config ? { file: options.config } : {});
}

/** Loads the configuration, opens every storage, runs `work`, and always closes the storages again. */
export async function withStorages<T>(
  options: GlobalOptions,
  work: (storages: StorageSet, loaded: LoadedConfig) => Promise<T>,
): Promise<T> {
  const loaded = loadGlobalConfig(options);
  for (const notice of loaded.notices ?? []) process.stderr.write(`notice: ${notice}\n`);
  const storages = await StorageSet.open(loaded.config, { logger: stderrLogger, secrets: loaded.secrets });
  try {
    return await work(storages, loaded);
  } finally {
    await drainReplication(storages);
    await storages.close();
  }
}
