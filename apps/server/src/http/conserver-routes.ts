import {
  NotSupportedError,
  requireUuid,
  type SearchQuery,
  ValidationError,
  vconUuidOf,
} from "@vcon/storage-core";
import type { FastifyInstance } from "fastify";
import type { StorageSet } from "../storages/storage-set.js";
import { allowOnly } from "./method-not-allowed.js";
import { sendStoredVcon } from "./read-answers.js";
import {
  conserverListQuery,
  conserverPostQuery,
  conserverSearchQuery,
  errorResponse,
  uuidParams,
  vconDocument,
} from "./schemas.js";
import { prepareBody } from "./vcon-bodies.js";

export interface ConserverRoutesOptions {
  storages: StorageSet;
}

/** Search pages fetched while collecting uuids: the largest page a storage serves. */
const PAGE_LIMIT = 1000;

/**
 * vcon-server's (conserver's) API on the same storages, so its clients work unchanged: same paths,
 * parameters and answer shapes. Unlike conserver, every search term is ANDed and nothing expires
 * (its index was Redis sets with a 24 h lifetime); errors use this service's envelope.
 * `GET /vcons?vcon_uuids=` is served by the main `GET /vcons` route.
 */
export async function conserverRoutes(app: FastifyInstance, { storages }: ConserverRoutesOptions) {
  app.post<{ Querystring: { ingress_lists?: string[] } }>(
    "/vcon",
    { schema: { querystring: conserverPostQuery, response: { 201: vconDocument, 413: errorResponse } } },
    async (request, reply) => {
      if (request.query.ingress_lists !== undefined) {
        throw new NotSupportedError(
          "ingress_lists are conserver's processing queues; this service stores vCons and has no queues",
        );
      }
      const [vcon] = prepareBody(request, { maxBatch: 1, allowBatch: false }).prepared;
      await storages.savePrepared([vcon!]);
      return reply.code(201).send(vcon!.document);
    },
  );

  app.get<{ Querystring: { page: number; size: number; since?: string; until?: string } }>(
    "/vcon",
    { schema: { querystring: conserverListQuery } },
    async (request) => {
      const { page, size, since, until } = request.query;
      const range = { ...(since ? { since } : {}), ...(until ? { until } : {}) };
      return collectUuids(storages, range, { skip: (page - 1) * size, take: size });
    },
  );

  app.get<{ Params: { uuid: string } }>(
    "/vcon/:uuid",
    { schema: { params: uuidParams, response: { 200: vconDocument } } },
    (request, reply) => sendStoredVcon(storages, request, reply),
  );

  app.delete<{ Params: { uuid: string } }>(
    "/vcon/:uuid",
    { schema: { params: uuidParams } },
    async (request, reply) => {
      // conserver answers 204 whether or not the vCon existed; a storage that fails is an error here.
      await storages.delete(requireUuid(request.params.uuid, "params.uuid"));
      return reply.code(204).send();
    },
  );

  app.get<{ Querystring: { tel?: string; mailto?: string; name?: string } }>(
    "/vcons/search",
    { schema: { querystring: conserverSearchQuery } },
    async (request) => {
      const terms = request.query;
      if (terms.tel === undefined && terms.mailto === undefined && terms.name === undefined) {
        throw new ValidationError("At least one search parameter must be provided", [
          { path: "query", message: "give tel, mailto or name" },
        ]);
      }
      return collectUuids(storages, terms, { skip: 0, take: Number.POSITIVE_INFINITY });
    },
  );

  allowOnly(app, "/vcon", ["GET", "POST"]);
  allowOnly(app, "/vcon/:uuid", ["GET", "DELETE"]);
  allowOnly(app, "/vcons/search", ["GET"]);
}

/** The uuids of a search, `skip` and `take` applied, walking pages with the storage's cursor. */
async function collectUuids(
  storages: StorageSet,
  query: SearchQuery,
  { skip, take }: { skip: number; take: number },
): Promise<string[]> {
  const uuids: string[] = [];
  let seen = 0;
  let cursor: string | null = null;
  do {
    const limit = Math.min(PAGE_LIMIT, skip + take - seen);
    const { page } = await storages.search({ ...query, limit, ...(cursor ? { cursor } : {}) });
    for (const item of page.items) {
      const uuid = vconUuidOf(item);
      if (uuid !== null && seen++ >= skip) uuids.push(uuid);
      if (uuids.length >= take) return uuids;
    }
    cursor = page.nextCursor;
  } while (cursor);
  return uuids;
}
