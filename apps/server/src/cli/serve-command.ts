import { setTimeout as sleep } from "node:timers/promises";
import { scrubSecrets } from "@vcon/storage-core";
import type { LoadedConfig } from "../config/load.js";
import type { VconServer } from "../http/server.js";

export interface ServeOptions {
  /** Seconds to keep retrying storages that are not up yet (0: fail at once). */
  waitForStorages: number;
}

/** Extra time after `server.shutdownTimeoutMs` before the process gives up on a clean close. */
const EXIT_GRACE_MS = 5000;
const MAX_RETRY_DELAY_MS = 5000;

/**
 * `vcon-server serve`: opens the storages (retrying for `--wait-for-storages` seconds, for start-up
 * ordering in compose or Kubernetes), listens, and shuts down gracefully on SIGINT/SIGTERM.
 */
export async function serveCommand(loaded: LoadedConfig, options: ServeOptions): Promise<void> {
  // Loaded here only: Fastify and its plugins would add ~0.4 s to every other command's start.
  const { buildServer } = await import("../http/server.js");
  const deadline = Date.now() + options.waitForStorages * 1000;
  const server = await untilUp((attempt) => buildServer(loaded, { announce: attempt === 1 }), deadline);
  try {
    await waitUntilHealthy(server, deadline);
    await server.listen();
  } catch (error) {
    // e.g. the port is taken: release the storages so the process can exit.
    await server.close("start failed");
    throw error;
  }
  stopOnSignals(server, loaded.config.server.shutdownTimeoutMs, loaded.secrets);
}

/** Retries opening while a storage answers UNAVAILABLE and time is left; any other failure is final. */
async function untilUp(
  open: (attempt: number) => Promise<VconServer>,
  deadline: number,
): Promise<VconServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await open(attempt);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const delay = retryDelay(attempt);
      if (code !== "UNAVAILABLE" || Date.now() + delay > deadline) throw error;
      waiting(`${(error as Error).message}`, delay, deadline);
      await sleep(delay);
    }
  }
}

/** With a wait set, every storage must answer its health probe before the server listens. */
async function waitUntilHealthy(server: VconServer, deadline: number): Promise<void> {
  if (Date.now() >= deadline) return;
  for (let attempt = 1; ; attempt++) {
    const down = (await server.storages.health()).filter((s) => !s.ok);
    if (down.length === 0) return;
    const detail = down.map((s) => `${s.name} ${s.code}: ${s.message}`).join("; ");
    const delay = retryDelay(attempt);
    if (Date.now() + delay > deadline) {
      const error = new Error(`Storages not up within --wait-for-storages: ${detail}`) as Error & {
        code: string;
      };
      error.code = "UNAVAILABLE";
      throw error;
    }
    waiting(detail, delay, deadline);
    await sleep(delay);
  }
}

function retryDelay(attempt: number): number {
  return Math.min(250 * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS);
}

function waiting(detail: string, delay: number, deadline: number): void {
  const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
  process.stderr.write(`waiting for storages (${left} s left, next try in ${delay} ms): ${detail}\n`);
}

/**
 * The first SIGINT/SIGTERM starts a graceful shutdown (exit 0 when it completes); a second signal,
 * or a close that outlives the shutdown timeout by EXIT_GRACE_MS, exits at once with code 1.
 */
function stopOnSignals(server: VconServer, shutdownTimeoutMs: number, secrets: readonly string[]): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      server.app.log.warn({ signal }, "second signal: exiting without waiting");
      process.exit(1);
    }
    stopping = true;
    setTimeout(() => {
      server.app.log.error({ signal }, "shutdown did not finish in time: exiting");
      process.exit(1);
    }, shutdownTimeoutMs + EXIT_GRACE_MS).unref();
    server.close(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        const message = scrubSecrets((error as Error).message, secrets);
        server.app.log.error({ err: { message } }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
