import { setTimeout as delay } from "node:timers/promises";
import { type AdapterRegistry, isStorageError, scrubSecrets, silentLogger } from "@vcon/storage-core";
import { describeTarget } from "../config/describe.js";
import type { LoadedConfig } from "../config/load.js";
import { appRegistry } from "../storages/registry.js";

/** The uuid the probe reads: never a real vCon's. */
const PROBE_UUID = "00000000-0000-0000-0000-000000000000";
const PROBE_TIMEOUT_MS = 10_000;

export interface ConnectOutcome {
  name: string;
  adapter: string;
  target: string;
  ok: boolean;
  latencyMs: number;
  code?: string;
  message?: string;
}

/**
 * `config --check --connect`: opens every storage on its own (one failing does not hide the others),
 * reads one absent uuid, closes it again. Messages are cleaned of configured secrets.
 */
export async function connectStorages(
  loaded: LoadedConfig,
  registry: AdapterRegistry = appRegistry(),
): Promise<ConnectOutcome[]> {
  return Promise.all(
    Object.entries(loaded.config.storages).map(async ([name, entry]): Promise<ConnectOutcome> => {
      const base = { name, adapter: entry.adapter, target: await describeTarget(entry) };
      const started = performance.now();
      const latencyMs = () => Math.round(performance.now() - started);
      try {
        await bounded(async () => {
          const storage = await registry.create({
            adapter: entry.adapter,
            options: entry.options,
            name,
            logger: silentLogger,
          });
          try {
            await storage.get(PROBE_UUID);
          } finally {
            await storage.close();
          }
        });
        return { ...base, ok: true, latencyMs: latencyMs() };
      } catch (error) {
        const code = isStorageError(error) ? error.code : ((error as { code?: string }).code ?? "INTERNAL");
        const message = scrubSecrets(error instanceof Error ? error.message : String(error), loaded.secrets);
        return { ...base, ok: false, latencyMs: latencyMs(), code, message };
      }
    }),
  );
}

/** Fails with UNAVAILABLE when the work takes longer than the probe timeout. */
async function bounded(work: () => Promise<void>): Promise<void> {
  const cancel = new AbortController();
  const timeout = delay(PROBE_TIMEOUT_MS, undefined, { signal: cancel.signal }).then(() => {
    throw Object.assign(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`), { code: "UNAVAILABLE" });
  });
  try {
    await Promise.race([work(), timeout]);
  } finally {
    cancel.abort();
    timeout.catch(() => {});
  }
}

export function connectLine(outcome: ConnectOutcome): string {
  const where = `${outcome.name} (${outcome.adapter} ${outcome.target})`;
  return outcome.ok
    ? `${where}: connected, answered in ${outcome.latencyMs} ms`
    : `${where}: ${outcome.code}: ${outcome.message}`;
}
