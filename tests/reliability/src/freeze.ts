import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Pauses (SIGSTOP) or resumes (SIGCONT) a PostgreSQL cluster this test started: the postmaster and
 * every backend. A paused server still accepts TCP connections (the kernel does) but never answers:
 * the fault that turns missing timeouts into hangs.
 */
export function signalCluster(dataDir: string, signal: "SIGSTOP" | "SIGCONT"): number[] {
  const postmaster = Number(readFileSync(join(dataDir, "data", "postmaster.pid"), "utf8").split("\n")[0]);
  if (!Number.isInteger(postmaster) || postmaster <= 0) throw new Error("no postmaster.pid");
  const pids = [postmaster, ...childrenOf(postmaster)];
  for (const pid of pids) process.kill(pid, signal);
  return pids;
}

function childrenOf(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === parent) children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}
