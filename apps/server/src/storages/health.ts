import { once } from "node:events";
import { UnavailableError, type VconStorage } from "@vcon/storage-core";
import type { ReplicaStatus } from "../replication/status.js";
import { failedOutcome } from "./outcome.js";

export type StorageRole = "primary" | "replica" | "read-only";

export interface StorageHealth {
  name: string;
  adapter: string;
  role: StorageRole;
  read: boolean;
  write: boolean;
  ok: boolean;
  latencyMs: number;
  code?: string;
  message?: string;
  /** Replicas only: what the journal still owes it. */
  replication?: Omit<ReplicaStatus, "replica">;
}

/** The uuid health probes read: never a real vCon's. */
const PROBE_UUID = "00000000-0000-0000-0000-000000000000";
export const PROBE_TIMEOUT_MS = 5000;

export interface ProbeTarget {
  name: string;
  adapter: string;
  role: StorageRole;
  read: boolean;
  write: boolean;
  /** Opens the storage when needed (a replica that was down at start). */
  storage: () => Promise<VconStorage>;
}

/** Reads a uuid no vCon has, bounded by `timeoutMs` (an answer that comes later is ignored). */
export async function probe(
  target: ProbeTarget,
  secrets: readonly string[],
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<StorageHealth> {
  const started = performance.now();
  const base = {
    name: target.name,
    adapter: target.adapter,
    role: target.role,
    read: target.read,
    write: target.write,
  };
  const timeout = AbortSignal.timeout(timeoutMs);
  const stopWaiting = new AbortController();
  try {
    const answered = target.storage().then((storage) => storage.get(PROBE_UUID));
    const timedOut = once(timeout, "abort", { signal: stopWaiting.signal }).then(
      () => {
        throw new UnavailableError(`no answer within ${timeoutMs} ms`);
      },
      // Answered first: stop waiting, and never settle.
      () => new Promise<never>(() => {}),
    );
    await Promise.race([answered, timedOut]);
    return { ...base, ok: true, latencyMs: elapsed(started) };
  } catch (error) {
    const failed = failedOutcome(target.name, error, secrets);
    return { ...base, ok: false, latencyMs: elapsed(started), code: failed.code!, message: failed.message! };
  } finally {
    stopWaiting.abort();
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
