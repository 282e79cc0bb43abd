import {
  type AdapterRegistry,
  type Logger,
  type OperationEvent,
  type StorageError,
  ValidationError,
  type VconStorage,
} from "@vcon/storage-core";
import type { AppConfig, StorageEntry } from "../config/schema.js";
import { type StorageRoles, storageRoles } from "../replication/settings.js";
import { checkStorages } from "./check.js";
import { renameFailure } from "./failure.js";
import { StorageHandle } from "./handle.js";

export interface OpenedStorages {
  roles: StorageRoles;
  primary: VconStorage;
  /** Every other configured storage, by name, opened now or when next needed. */
  others: Map<string, StorageHandle>;
}

export interface OpenContext {
  registry: AdapterRegistry;
  logger: Logger;
  secrets: readonly string[];
  onOperation?: (event: OperationEvent) => void;
}

/**
 * Opens the primary (the service cannot take writes without it: a failure is thrown) and tries
 * every other storage once. One that is down (a retryable failure) does not stop the service: its
 * handle opens it when next needed, and its entries wait in the journal. One that is misconfigured
 * (any other failure) stops the start, and everything opened is closed again.
 */
export async function openStorages(config: AppConfig, context: OpenContext): Promise<OpenedStorages> {
  // Misspelt adapter names and option keys are refused with the nearest known name, before any opening.
  await checkStorages(config, context.registry);
  const roles = storageRoles(config.storages);
  const primary = await openOne(roles.primary, config.storages[roles.primary]!, context);
  const others = new Map<string, StorageHandle>();
  for (const [name, entry] of Object.entries(config.storages)) {
    if (name === roles.primary) continue;
    others.set(name, new StorageHandle(name, entry.adapter, () => openOne(name, entry, context)));
  }
  const failures = await Promise.all(
    [...others.values()].map((handle) =>
      handle.get().then(
        () => null,
        (error: StorageError) => {
          context.logger.warn({ storage: handle.name, err: error }, "storage could not be opened");
          return error;
        },
      ),
    ),
  );
  // Down for now (retryable) is waited out; a bad configuration is not: nothing starts.
  const fatal = failures.find((error) => error !== null && !error.retryable);
  if (fatal) {
    await Promise.allSettled([primary.close(), ...[...others.values()].map((h) => h.close())]);
    throw fatal;
  }
  return { roles, primary, others };
}

/** One configured storage by name, opened on its own (no journal, no replication): for `sync`. */
export function openNamed(config: AppConfig, name: string, context: OpenContext): Promise<VconStorage> {
  const entry = config.storages[name];
  if (!entry) {
    throw new ValidationError(`No storage named "${name}"`, [
      { path: "storages", message: `configured: ${Object.keys(config.storages).join(", ")}` },
    ]);
  }
  return openOne(name, entry, context);
}

function openOne(name: string, entry: StorageEntry, context: OpenContext): Promise<VconStorage> {
  return context.registry
    .create({
      adapter: entry.adapter,
      options: entry.options,
      name,
      logger: context.logger,
      ...(context.onOperation ? { onOperation: context.onOperation } : {}),
    })
    .then(async (storage) => {
      // Adapters connect in open() (core would run it at the first call): run it now, so a bad
      // configuration or an unreachable backend stops the start (primary) or is retried (others).
      try {
        await storage.open?.();
      } catch (error) {
        await storage.close().catch(() => {});
        throw error;
      }
      return storage;
    })
    .catch((error: unknown) => {
      throw renameFailure(
        error,
        `Storage "${name}" (adapter "${entry.adapter}") could not be opened`,
        context.secrets,
      );
    });
}
