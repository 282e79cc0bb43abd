import { requireUuid } from "@vcon/storage-core";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { StorageOutcome } from "../storages/outcome.js";
import type { ReadHit, StorageSet } from "../storages/storage-set.js";
import { sendError } from "./errors.js";

/**
 * `GET /vcons/{uuid}` and conserver's `GET /vcon/{uuid}`: the stored vCon, with the storage that
 * answered in `vcon-storage`; 404 in the envelope when there is none.
 */
export async function sendStoredVcon(
  storages: StorageSet,
  request: FastifyRequest<{ Params: { uuid: string } }>,
  reply: FastifyReply,
): Promise<unknown> {
  const uuid = requireUuid(request.params.uuid, "params.uuid");
  const hit = await storages.get(uuid);
  if (!hit) return sendError(reply, 404, { error: { code: "NOT_FOUND", message: `No vCon ${uuid}` } });
  sendReadHeaders(request, reply, hit);
  return hit.document;
}

/** Names the storage that answered a read, and the ones that failed before it. */
export function sendReadHeaders(request: FastifyRequest, reply: FastifyReply, hit: ReadHit): void {
  reply.header("vcon-storage", hit.storage);
  sendFallbackFailures(request, reply, hit.failures);
}

/**
 * A fallback answered because the storages before it could not: `vcon-storage-failures` lists them
 * (`name=CODE, ...`), and the request's log says so.
 */
export function sendFallbackFailures(
  request: FastifyRequest,
  reply: FastifyReply,
  failures: readonly StorageOutcome[],
): void {
  if (failures.length === 0) return;
  request.log.warn({ storages: failures }, "read fell through failed storages");
  reply.header("vcon-storage-failures", failures.map((f) => `${f.storage}=${f.code}`).join(", "));
}
