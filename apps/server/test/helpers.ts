import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isStorageError } from "@vcon/storage-core";
import type { AppConfigInput, BuildServerOptions } from "../src/index.js";
import { buildServer, type VconServer } from "../src/index.js";

export interface RunningServer {
  url: string;
  server: VconServer;
  close(): Promise<void>;
}

/** The real app on a free port of 127.0.0.1, logging nothing; its replication journal in a folder of its own. */
export async function startServer(
  config: AppConfigInput,
  options: BuildServerOptions = {},
): Promise<RunningServer> {
  const journalDir = mkdtempSync(join(tmpdir(), "vcon-server-journal-"));
  const server = await buildServer(
    {
      ...config,
      server: { logLevel: "silent", ...config.server, port: 0 },
      replication: { journal: join(journalDir, "journal.sqlite"), ...config.replication },
    },
    options,
  );
  const url = await server.listen();
  return {
    url,
    server,
    close: async () => {
      await server.close();
      rmSync(journalDir, { recursive: true, force: true });
    },
  };
}

let counter = 0;

/** A small unsigned vCon with a fresh uuid and distinct search fields. */
export function makeVcon(
  overrides: Record<string, unknown> = {},
): Record<string, unknown> & { uuid: string } {
  counter++;
  return {
    uuid: randomUUID(),
    vcon: "0.0.2",
    created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, counter)).toISOString(),
    subject: `Call ${counter}`,
    parties: [
      { tel: `+1555000${String(counter).padStart(4, "0")}`, name: "Alice Example" },
      { mailto: "bob@example.com", name: "Bob" },
    ],
    dialog: [],
    ...overrides,
  } as Record<string, unknown> & { uuid: string };
}

export async function postJson(url: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** The issues of the ValidationError `run` throws (fails the test when it throws none). */
export function issuesOf(run: () => unknown): { path: string; message: string }[] {
  try {
    run();
  } catch (error) {
    if (!isStorageError(error, "VALIDATION")) throw error;
    return [...error.issues];
  }
  throw new Error("expected a validation error");
}
