import type { Cluster, Redis } from "ioredis";
import { PAGE_LUA, PRUNE_LUA, SAVE_LUA } from "./lua.js";

/**
 * The adapter's scripts as ioredis commands (`defineCommand`): ioredis sends each script's text once per
 * connection, then calls it by its SHA, and sends it again when Redis forgot it (a restart, SCRIPT FLUSH).
 * The names are the adapter's own, so they do not clash with a borrowed client's commands.
 */
export interface ScriptCommands {
  vconStorageSave(keyCount: number, ...keysThenArgs: string[]): Promise<number>;
  vconStoragePrune(keyCount: number, ...keysThenArgs: string[]): Promise<string[]>;
  vconStoragePage(keyCount: number, ...keysThenArgs: Array<string | number>): Promise<string[]>;
}

export type ScriptedClient = (Redis | Cluster) & ScriptCommands;

export function defineScripts(client: Redis | Cluster): ScriptedClient {
  const scripted = client as ScriptedClient;
  // Every key is declared in KEYS, so a cluster routes the call by them (and refuses a cross-slot call).
  if (typeof scripted.vconStorageSave !== "function")
    client.defineCommand("vconStorageSave", { lua: SAVE_LUA });
  if (typeof scripted.vconStoragePrune !== "function")
    client.defineCommand("vconStoragePrune", { lua: PRUNE_LUA });
  if (typeof scripted.vconStoragePage !== "function")
    client.defineCommand("vconStoragePage", { lua: PAGE_LUA });
  return scripted;
}
