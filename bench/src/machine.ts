import { cpus, release, totalmem } from "node:os";

/** The machine facts printed with every result table. */
export function describeMachine(extra: Record<string, string>): Record<string, string> {
  const cpu = cpus();
  return {
    cpus: `${cpu.length} x ${cpu[0]?.model.trim() ?? "unknown"}`,
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    os: `${process.platform} ${release()}`,
    node: process.version,
    ...extra,
  };
}
