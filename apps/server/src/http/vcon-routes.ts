import { requireUuid, type SearchQuery, ValidationError } from "@vcon/storage-core";
import type { FastifyInstance } from "fastify";
import type { StorageSet } from "../storages/storage-set.js";
import { sendError } from "./errors.js";
import { allowOnly } from "./method-not-allowed.js";
import { sendFallbackFailures, sendStoredVcon } from "./read-answers.js";
import {
  deleteResponse,
  errorResponse,
  saveResponse,
  searchQuery,
  uuidParams,
  vconDocument,
} from "./schemas.js";
import { prepareBody } from "./vcon-bodies.js";

export interface VconRoutesOptions {
  storages: StorageSet;
  /** Most vCons accepted in one POST (and uuids in one `vcon_uuids` read). */
  maxBatch: number;
}

const errors = {
  400: errorResponse,
  404: errorResponse,
  409: errorResponse,
  500: errorResponse,
  501: errorResponse,
  503: errorResponse,
};

type SearchParameters = SearchQuery & { vcon_uuids?: string[] };

/** The API's own routes: `/vcons` and `/vcons/{uuid}`. Their OpenAPI is in `openapi/operations.ts`. */
export async function vconRoutes(
  app: FastifyInstance,
  { storages, maxBatch }: VconRoutesOptions,
): Promise<void> {
  app.post(
    "/vcons",
    { schema: { response: { 201: saveResponse, 413: errorResponse, ...errors } } },
    async (request, reply) => {
      const { batch, prepared } = prepareBody(request, { maxBatch, allowBatch: true });
      const uuids = prepared.map((p) => p.uuid);
      // Checked once here; the storages take the prepared vCons as they are.
      const report = await storages.savePrepared(prepared);
      const body = batch
        ? { uuids, count: uuids.length, storages: report.storages }
        : { uuid: uuids[0], storages: report.storages };
      return reply.code(201).send(body);
    },
  );

  app.get<{ Querystring: SearchParameters }>(
    "/vcons",
    { schema: { querystring: searchQuery, response: errors } },
    async (request, reply) => {
      const { vcon_uuids: uuids, ...query } = request.query;
      if (uuids === undefined) {
        const { storage, page, failures } = await storages.search(query);
        // Answered by a fallback because the primary could not: say so, as reads do.
        sendFallbackFailures(request, reply, failures);
        return { items: page.items, nextCursor: page.nextCursor, storage };
      }
      return readMany(storages, uuids, query, maxBatch);
    },
  );

  app.get<{ Params: { uuid: string } }>(
    "/vcons/:uuid",
    { schema: { params: uuidParams, response: { 200: vconDocument, ...errors } } },
    (request, reply) => sendStoredVcon(storages, request, reply),
  );

  app.put<{ Params: { uuid: string } }>(
    "/vcons/:uuid",
    { schema: { params: uuidParams, response: { 200: saveResponse, 413: errorResponse, ...errors } } },
    async (request) => {
      const uuid = requireUuid(request.params.uuid, "params.uuid");
      const [vcon] = prepareBody(request, { maxBatch: 1, allowBatch: false }).prepared;
      if (vcon!.uuid !== uuid) {
        throw new ValidationError("The body's uuid does not match the path", [
          { path: "$.uuid", message: `the body is vCon ${vcon!.uuid}; the path names ${uuid}` },
        ]);
      }
      const report = await storages.savePrepared([vcon!]);
      return { uuid, storages: report.storages };
    },
  );

  app.delete<{ Params: { uuid: string } }>(
    "/vcons/:uuid",
    { schema: { params: uuidParams, response: { 200: deleteResponse, ...errors } } },
    async (request, reply) => {
      const uuid = requireUuid(request.params.uuid, "params.uuid");
      const report = await storages.delete(uuid);
      if (!report.deleted) {
        return sendError(reply, 404, {
          error: { code: "NOT_FOUND", message: `No vCon ${uuid}`, storages: report.storages },
        });
      }
      return { uuid, deleted: true, storages: report.storages };
    },
  );

  allowOnly(app, "/vcons", ["GET", "POST"]);
  allowOnly(app, "/vcons/:uuid", ["GET", "PUT", "DELETE"]);
}

/** conserver's `GET /vcons?vcon_uuids=...`: each vCon asked for, in order, null where none is stored. */
export async function readMany(
  storages: StorageSet,
  given: readonly string[],
  otherFilters: object,
  maxBatch: number,
): Promise<unknown[]> {
  if (Object.keys(otherFilters).length > 0) {
    throw new ValidationError("vcon_uuids reads vCons by uuid; it takes no search filter", [
      { path: "query", message: `remove ${Object.keys(otherFilters).join(", ")}, or vcon_uuids` },
    ]);
  }
  if (given.length > maxBatch) {
    throw new ValidationError("Too many uuids in one request", [
      { path: "query.vcon_uuids", message: `${given.length} uuids; at most ${maxBatch} per request` },
    ]);
  }
  const uuids = given.map((uuid, index) => requireUuid(uuid, `query.vcon_uuids[${index}]`));
  const hits = await Promise.all(uuids.map((uuid) => storages.get(uuid)));
  return hits.map((hit) => hit?.document ?? null);
}
