import { readdirSync, readFileSync } from "node:fs";

/** Linux reports CPU time in clock ticks of 10 ms (USER_HZ = 100). */
const MS_PER_TICK = 10;

/** user + system CPU ticks of one process from /proc, or null when it cannot be read. */
function ticksOf(pid: string | number): number | null {
  try {
    // Fields after the command name: state is field 3, utime and stime are fields 14 and 15.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

/**
 * CPU time (ms, user + system) of one process and the threads it ran (a Node process's thread pool
 * included), or null where /proc does not show it.
 */
export function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  const ticks = ticksOf(pid);
  return ticks === null ? null : ticks * MS_PER_TICK;
}

/** CPU time so far (ms, user + system) per PostgreSQL backend connected to `database`, by pid. */
export type BackendCpu = ReadonlyMap<string, number>;

/**
 * CPU time (ms, user + system) of each PostgreSQL server process connected to `database`, read from
 * /proc; null where /proc does not show them (another machine, another OS).
 */
export function backendCpu(database: string): BackendCpu | null {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  const cpu = new Map<string, number>();
  for (const pid of pids) {
    let title: string;
    try {
      // A backend's title: "postgres: [<cluster>: ]<user> <database> <client> <state>".
      title = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      continue; // ended while being read
    }
    if (!title.startsWith("postgres: ") || !title.split(/\s+/).includes(database)) continue;
    const ticks = ticksOf(pid);
    if (ticks !== null) cpu.set(pid, ticks * MS_PER_TICK);
  }
  return cpu.size > 0 ? cpu : null;
}

/**
 * CPU the backends used between two readings: a backend that started in between counts from zero; one
 * that ended in between is lost (its time cannot be read any more), so keep pools open meanwhile.
 */
export function backendCpuBetween(before: BackendCpu | null, after: BackendCpu | null): number | null {
  if (after === null) return null;
  let ms = 0;
  for (const [pid, now] of after) ms += now - (before?.get(pid) ?? 0);
  return ms;
}
