import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";

/** Ports of the test cluster's three masters: ports of their own, away from the Redis at REDIS_URL. */
export const CLUSTER_PORTS = [7301, 7302, 7303] as const;
export const CLUSTER_URLS = CLUSTER_PORTS.map((port) => `redis://127.0.0.1:${port}`);

const START_TIMEOUT_MS = 20_000;

/**
 * Why the cluster tests cannot run here (no redis-server or redis-cli on PATH), or null when they can.
 * Under CI=true a missing binary throws: CI must run them.
 */
export function clusterSkipReason(
  env: Record<string, string | undefined> = process.env,
  binaries: readonly string[] = ["redis-server", "redis-cli"],
): string | null {
  const missing = binaries.filter(
    (binary) => spawnSync(binary, ["--version"], { stdio: "ignore" }).status !== 0,
  );
  if (missing.length === 0) return null;
  const reason = `${missing.join(" and ")} not found on PATH (needed to start a Redis Cluster)`;
  if (env.CI === "true") throw new Error(`CI=true and ${reason}: install redis-server`);
  return reason;
}

export interface TestCluster {
  urls: string[];
  /** One client per master, for looking behind the adapter's back. */
  masters: Redis[];
  stop(): Promise<void>;
}

/**
 * Starts three cluster-enabled redis-server processes in a temp folder, joins them into one cluster
 * (`redis-cli --cluster create`, 0 replicas) and waits until every node reports `cluster_state:ok`.
 * Bounded: throws after 20 s, stopping what it started.
 */
export async function startCluster(): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), "vcon-redis-cluster-"));
  const servers: ChildProcess[] = [];
  const masters: Redis[] = [];
  const stop = async () => {
    for (const client of masters) client.disconnect();
    await Promise.all(servers.map(stopServer));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of CLUSTER_PORTS) servers.push(startServer(port, dir));
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (const port of CLUSTER_PORTS) masters.push(await connectWhenUp(port, deadline));
    await promisify(execFile)(
      "redis-cli",
      [
        "--cluster",
        "create",
        ...CLUSTER_PORTS.map((port) => `127.0.0.1:${port}`),
        "--cluster-replicas",
        "0",
        "--cluster-yes",
      ],
      { timeout: START_TIMEOUT_MS },
    );
    for (const client of masters) await waitClusterOk(client, deadline);
    return { urls: [...CLUSTER_URLS], masters, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function startServer(port: number, dir: string): ChildProcess {
  const server = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--cluster-enabled",
      "yes",
      "--cluster-config-file",
      join(dir, `nodes-${port}.conf`),
      "--dir",
      dir,
      "--save",
      "",
      "--appendonly",
      "no",
    ],
    { stdio: "ignore" },
  );
  server.on("error", () => {});
  return server;
}

async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolve) => server.once("exit", resolve));
  server.kill("SIGTERM");
  const timer = setTimeout(() => server.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

async function connectWhenUp(port: number, deadline: number): Promise<Redis> {
  for (;;) {
    const client = new Redis(port, "127.0.0.1", {
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    client.on("error", () => {});
    try {
      await client.connect();
      // A port held by another program answers something else, or nothing.
      if ((await client.call("CLUSTER", "INFO")) !== null) return client;
    } catch (error) {
      client.disconnect();
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start: ${error}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function waitClusterOk(client: Redis, deadline: number): Promise<void> {
  while (!String(await client.call("CLUSTER", "INFO")).includes("cluster_state:ok")) {
    if (Date.now() > deadline) throw new Error("the test cluster did not reach cluster_state:ok within 20 s");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every key of one master under `prefix` (SCAN). */
export async function keysOn(master: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await master.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
    cursor = next;
    found.push(...keys);
  } while (cursor !== "0");
  return found.sort();
}
