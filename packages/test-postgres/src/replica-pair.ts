import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { appendFile, chown, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { sqlRows } from "./client.js";
import { freePort } from "./embedded.js";

const run = promisify(execFile);

/** The PostgreSQL server programs a replica pair needs, from this machine's packages. */
const PROGRAMS = ["initdb", "pg_ctl", "pg_basebackup"] as const;

/** Bounds every step: a server that does not start fails the test instead of hanging it. */
const STEP_TIMEOUT_MS = 60_000;

export interface ReplicaPair {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication on loopback). */
  readonly primaryUrl: string;
  /** The hot standby, streaming from the primary (`pg_basebackup -R`). */
  readonly standbyUrl: string;
  readonly primaryPort: number;
  readonly standbyPort: number;
  /** Stops the standby (fast shutdown), keeping its data. */
  stopStandby(): Promise<void>;
  /** Starts the standby again and waits until it streams from the primary. */
  startStandby(): Promise<void>;
  /** Resolves once the standby has replayed everything the primary has written so far. */
  waitForReplay(timeoutMs?: number): Promise<void>;
  /** Stops both servers and deletes their folders. Safe to call twice. */
  stop(): Promise<void>;
}

interface Binaries {
  bindir: string;
  /** Root cannot run PostgreSQL: commands then run as the `postgres` user through runuser. */
  asPostgres: boolean;
}

/**
 * Where the server programs are, or why there are none: `pg_config --bindir` (or PG_BINDIR) must hold
 * initdb, pg_ctl and pg_basebackup, and root needs a `postgres` user and runuser to run them as.
 */
export function replicaPairSupport(): { binaries: Binaries } | { reason: string } {
  let bindir = process.env.PG_BINDIR;
  if (!bindir) {
    try {
      bindir = execFileSync("pg_config", ["--bindir"], { encoding: "utf8" }).trim();
    } catch {
      return { reason: "pg_config is not on PATH (set PG_BINDIR to PostgreSQL's bin folder)" };
    }
  }
  const missing = PROGRAMS.filter((program) => !existsSync(join(bindir, program)));
  if (missing.length > 0) return { reason: `${missing.join(", ")} not found in ${bindir}` };
  const asPostgres = process.getuid?.() === 0;
  if (asPostgres && (postgresIds() === undefined || !existsSync("/usr/sbin/runuser"))) {
    return {
      reason: "running as root without a `postgres` user and /usr/sbin/runuser to start PostgreSQL as",
    };
  }
  return { binaries: { bindir, asPostgres } };
}

/**
 * Starts a primary and a streaming hot standby of its own: `initdb`, then `pg_basebackup -R` from the
 * running primary, each on a free loopback port, in a temporary folder. Stopped by `stop()`, and at
 * process exit should a test forget. Throws when `replicaPairSupport()` has a reason.
 */
export async function startReplicaPair(): Promise<ReplicaPair> {
  const support = replicaPairSupport();
  if ("reason" in support) throw new Error(`cannot start a replica pair: ${support.reason}`);
  const { bindir, asPostgres } = support.binaries;
  const root = await mkdtemp(join(tmpdir(), "vcon-replicas-"));
  const ids = asPostgres ? postgresIds() : undefined;
  if (ids) await chown(root, ids.uid, ids.gid);

  const program = (name: (typeof PROGRAMS)[number], args: string[]) => {
    const [command, argv] = asPostgres
      ? ["/usr/sbin/runuser", ["-u", "postgres", "--", join(bindir, name), ...args]]
      : [join(bindir, name), args];
    return run(command, argv, { cwd: root, timeout: STEP_TIMEOUT_MS });
  };
  const primaryDir = join(root, "primary");
  const standbyDir = join(root, "standby");
  const pgCtl = (dir: string, action: "start" | "stop") =>
    program(
      "pg_ctl",
      action === "start"
        ? ["-D", dir, "-l", `${dir}.log`, "-w", "-t", "30", "start"]
        : ["-D", dir, "-m", "fast", "-w", "-t", "30", "stop"],
    );
  const running = new Set<string>();
  const start = async (dir: string) => {
    await pgCtl(dir, "start");
    running.add(dir);
  };
  const stopServer = async (dir: string) => {
    if (!running.delete(dir)) return;
    await pgCtl(dir, "stop").catch(() => {});
  };
  // A crashed test file must not leave servers behind: stop them, synchronously, at exit.
  const stopAtExit = () => {
    for (const dir of running) {
      const args = ["-D", dir, "-m", "immediate", "stop"];
      try {
        if (asPostgres)
          execFileSync("/usr/sbin/runuser", ["-u", "postgres", "--", join(bindir, "pg_ctl"), ...args]);
        else execFileSync(join(bindir, "pg_ctl"), args);
      } catch {}
    }
  };
  process.once("exit", stopAtExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off("exit", stopAtExit);
    await stopServer(standbyDir);
    await stopServer(primaryDir);
    await rm(root, { recursive: true, force: true });
  };

  try {
    const [primaryPort, standbyPort] = [await freePort(), await freePort()];
    // Trust on loopback only; initdb's pg_hba.conf already lets local replication connections in.
    await program("initdb", ["-D", primaryDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
    await appendFile(join(primaryDir, "postgresql.conf"), serverSettings(primaryPort, root));
    await start(primaryDir);
    const primaryUrl = `postgres://postgres@127.0.0.1:${primaryPort}/postgres`;
    await program("pg_basebackup", [
      ...["-h", "127.0.0.1", "-p", String(primaryPort), "-U", "postgres"],
      ...["-D", standbyDir, "-R", "-X", "stream", "-c", "fast", "--no-sync"],
    ]);
    // The copied postgresql.conf names the primary's port: a later line wins.
    await appendFile(
      join(standbyDir, "postgresql.conf"),
      `port = ${standbyPort}\nhot_standby_feedback = on\n`,
    );
    await start(standbyDir);
    const standbyUrl = `postgres://postgres@127.0.0.1:${standbyPort}/postgres`;
    const waitForReplay = (timeoutMs = 15_000) => replayed(primaryUrl, standbyUrl, timeoutMs);
    await waitForReplay(30_000);
    return {
      primaryUrl,
      standbyUrl,
      primaryPort,
      standbyPort,
      stopStandby: () => stopServer(standbyDir),
      startStandby: async () => {
        await start(standbyDir);
        await waitForReplay(30_000);
      },
      waitForReplay,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Loopback only, a socket folder of its own, and no fsync: a throwaway test cluster. */
function serverSettings(port: number, socketDir: string): string {
  return [
    `port = ${port}`,
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = '${socketDir}'`,
    "wal_level = replica",
    "max_wal_senders = 4",
    "hot_standby = on",
    "fsync = off",
    "full_page_writes = off",
    "max_connections = 40",
    "shared_buffers = 16MB",
    "",
  ].join("\n");
}

/**
 * Polls until the standby's replay LSN reaches the primary's WAL insert position (the write position
 * can trail a commit that has already returned).
 */
async function replayed(primaryUrl: string, standbyUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const [primary] = await sqlRows<{ lsn: string }>(
    primaryUrl,
    "SELECT pg_current_wal_insert_lsn()::text AS lsn",
  );
  const lsn = primary!.lsn;
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const [row] = await sqlRows<{ caught_up: boolean }>(
        standbyUrl,
        "SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false) AS caught_up",
        [lsn],
      );
      if (row?.caught_up) return;
      last = "behind";
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the standby did not replay up to ${lsn} within ${timeoutMs} ms (${last})`);
}

function postgresIds(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}
