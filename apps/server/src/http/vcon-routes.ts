import {
  type PreparedVcon,
  prepareVcon,
  requireUuid,
  type SearchQuery,
  ValidationError,
  type ValidationIssue,
} from "@vcon/storage-core";
import type { FastifyInstance } from "fastify";
import type { StorageSet } from "../storages/storage-set.js";
import { sendError } from "./errors.js";
import {
  deleteResponse,
  errorResponse,
  saveBody,
  saveResponse,
  searchQuery,
  searchResponse,
  uuidParams,
  vconDocument,
} from "./schemas.js";

export interface VconRoutesOptions {
  storages: StorageSet;
  /** Most vCons accepted in one POST. */
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

export async function vconRoutes(
  app: FastifyInstance,
  { storages, maxBatch }: VconRoutesOptions,
): Promise<void> {
  app.post(
    "/vcons",
    {
      schema: {
        summary: "Save one vCon or an array of vCons to every write storage",
        body: saveBody,
        response: { 201: saveResponse, 413: errorResponse, ...errors },
      },
    },
    async (request, reply) => {
      const batch = Array.isArray(request.body);
      const documents = (batch ? request.body : [request.body]) as unknown[];
      const prepared = validateAll(documents, batch, maxBatch);
      const uuids = prepared.map((p) => p.uuid);
      const report = await storages.save(
        prepared.map((p) => p.document),
        uuids,
      );
      const body = batch
        ? { uuids, count: uuids.length, storages: report.storages }
        : { uuid: uuids[0], storages: report.storages };
      return reply.code(201).send(body);
    },
  );

  app.get<{ Params: { uuid: string } }>(
    "/vcons/:uuid",
    {
      schema: {
        summary: "Read a vCon: read storages are asked in configuration order, the first hit wins",
        params: uuidParams,
        response: { 200: vconDocument, ...errors },
      },
    },
    async (request, reply) => {
      const uuid = requireUuid(request.params.uuid, "params.uuid");
      const hit = await storages.get(uuid);
      if (!hit) return sendError(reply, 404, { error: { code: "NOT_FOUND", message: `No vCon ${uuid}` } });
      reply.header("vcon-storage", hit.storage);
      if (hit.failures.length > 0) {
        // Answered by a later storage: say which ones failed before it.
        request.log.warn({ storages: hit.failures }, "read fell through failed storages");
        reply.header("vcon-storage-failures", hit.failures.map((f) => `${f.storage}=${f.code}`).join(", "));
      }
      return hit.document;
    },
  );

  app.get<{ Querystring: SearchQuery }>(
    "/vcons",
    {
      schema: {
        summary: "Search the first read storage that supports search, one page at a time",
        querystring: searchQuery,
        response: { 200: searchResponse, ...errors },
      },
    },
    async (request) => {
      const { storage, page } = await storages.search(request.query);
      return { items: page.items, nextCursor: page.nextCursor, storage };
    },
  );

  app.delete<{ Params: { uuid: string } }>(
    "/vcons/:uuid",
    {
      schema: {
        summary: "Delete a vCon from every write storage",
        params: uuidParams,
        response: { 200: deleteResponse, ...errors },
      },
    },
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
}

/** Checks every document before anything is written: one bad vCon rejects the whole request. */
function validateAll(documents: unknown[], batch: boolean, maxBatch: number): PreparedVcon[] {
  if (documents.length === 0)
    throw new ValidationError("Nothing to save", [{ path: "$", message: "the array is empty" }]);
  if (documents.length > maxBatch) {
    throw new ValidationError("Too many vCons in one request", [
      { path: "$", message: `${documents.length} vCons; at most ${maxBatch} per request` },
    ]);
  }
  const prepared: PreparedVcon[] = [];
  const issues: ValidationIssue[] = [];
  documents.forEach((document, index) => {
    try {
      prepared.push(prepareVcon(document));
    } catch (error) {
      const found = (error as { issues?: ValidationIssue[] }).issues;
      if (!found) throw error;
      for (const issue of found)
        issues.push({ ...issue, path: batch ? issue.path.replace(/^\$/, `$[${index}]`) : issue.path });
    }
  });
  if (issues.length > 0) {
    throw new ValidationError(
      batch ? "Batch rejected, nothing was written" : "vCon rejected, nothing was written",
      issues.slice(0, 100),
    );
  }
  return prepared;
}
