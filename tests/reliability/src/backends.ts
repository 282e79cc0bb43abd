import type { StorageOptions, VconStorage } from "@vcon/storage-core";
import { createTestDatabase } from "@vcon/test-postgres";
import { afterAll, beforeAll } from "vitest";
import { openPostgres, pgliteOptions, serverOptions } from "./postgres.js";

/** A PostgreSQL the adapter runs on: a real server, or PGlite (same SQL, jsonb rules included). */
export interface Backend {
  label: string;
  open(extra?: StorageOptions): Promise<{ storage: VconStorage; dispose(): Promise<void> }>;
}

export const serverBackend: Backend = {
  label: "PostgreSQL server",
  async open(extra = {}) {
    // A database of its own, so counts through the API see only this file's documents.
    const database = await createTestDatabase("vcon_reliability");
    const storage = await openPostgres(serverOptions({ url: database.url, poolMax: 8 }), extra);
    return {
      storage,
      dispose: async () => {
        await storage.close();
        await database.drop();
      },
    };
  },
};

export const pgliteBackend: Backend = {
  label: "PGlite",
  async open(extra = {}) {
    const storage = await openPostgres(pgliteOptions(), extra);
    return { storage, dispose: () => storage.close() };
  },
};

export const BACKENDS: readonly Backend[] = [serverBackend, pgliteBackend];

/** Opens one storage for the current describe block (a PGlite start takes seconds: share it). */
export function useStorage(backend: Backend, extra?: StorageOptions): () => VconStorage {
  let opened: Awaited<ReturnType<Backend["open"]>> | undefined;
  beforeAll(async () => {
    opened = await backend.open(extra);
  });
  afterAll(async () => {
    await opened?.dispose();
  });
  return () => {
    if (!opened) throw new Error(`${backend.label} storage did not open`);
    return opened.storage;
  };
}

/** Every stored document, through the public API (each backend gets a fresh database). */
export async function allDocuments(storage: VconStorage): Promise<Array<Record<string, unknown>>> {
  const documents: Array<Record<string, unknown>> = [];
  for await (const document of storage.export()) documents.push(document as Record<string, unknown>);
  return documents;
}
