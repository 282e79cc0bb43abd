/**
 * Every operation of the API as OpenAPI: operationId, tag, parameters, body and each status the route
 * can answer with its headers. Keyed by `METHOD /path` (OpenAPI path syntax); the document lists the
 * ones whose route is registered, and a test fails for a route missing here.
 */
import { conserverListQuery, conserverSearchQuery, searchQuery } from "../schemas.js";
import { type ResponseName, ref, requestIdHeader } from "./components.js";

type Schema = Record<string, unknown>;
type Parameter = { name: string; in: "query" | "path"; required?: boolean; schema: Schema } & Record<
  string,
  unknown
>;

export interface Operation {
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: Schema;
  responses: Record<string, Schema>;
  security?: Record<string, string[]>[];
}

/** Error statuses every operation behind an API key can answer. */
const COMMON_ERRORS = { 401: "Unauthorized", 403: "Forbidden", 500: "Internal", 503: "Unavailable" } as const;
const READ_ERRORS = { 400: "BadRequest", ...COMMON_ERRORS } as const;
const WRITE_ERRORS = {
  ...READ_ERRORS,
  409: "Conflict",
  413: "PayloadTooLarge",
  415: "UnsupportedMediaType",
} as const;

function errors(statuses: Record<number, ResponseName>): Record<string, Schema> {
  return Object.fromEntries(
    Object.entries(statuses).map(([status, name]) => [status, { $ref: `#/components/responses/${name}` }]),
  );
}

function json(description: string, schema: Schema, headers: Schema = {}): Schema {
  return {
    description,
    headers: { ...requestIdHeader, ...headers },
    content: { "application/json": { schema } },
  };
}

const noContent = (description: string): Schema => ({ description, headers: requestIdHeader });

/** Both media types a vCon may be sent as. */
function body(description: string, schema: Schema): Schema {
  return {
    required: true,
    description,
    content: { "application/json": { schema }, "application/vcon+json": { schema } },
  };
}

const readHeaders = {
  "vcon-storage": { $ref: "#/components/headers/VconStorage" },
  "vcon-storage-failures": { $ref: "#/components/headers/VconStorageFailures" },
};

const DATE_TIME_PARAMETERS = new Set(["since", "until"]);

/** Query parameters from a route's querystring schema, so validation and documentation agree. */
function queryParameters(
  schema: { properties: Record<string, Schema> },
  overrides: Record<string, Schema> = {},
): Parameter[] {
  return Object.entries(schema.properties).map(([name, property]) => {
    const { description, ...rest } = property as { description?: string } & Schema;
    const valueSchema: Schema = {
      ...rest,
      ...(DATE_TIME_PARAMETERS.has(name) ? { format: "date-time" } : {}),
    };
    const parameter: Parameter = { name, in: "query", schema: valueSchema, ...overrides[name] };
    if (description) parameter.description = description;
    // Repeatable parameters (`tag=a&tag=b`) are exploded, the form every generator sends.
    if (valueSchema.type === "array") Object.assign(parameter, { style: "form", explode: true });
    return parameter;
  });
}

const uuidParameter: Parameter = {
  name: "uuid",
  in: "path",
  required: true,
  description: "The vCon's uuid (any case, with or without braces).",
  schema: { type: "string" },
};

const vconBody = body("One vCon. Its exact bytes are stored.", ref("Vcon"));

export const operations: Record<string, Operation> = {
  "POST /vcons": {
    operationId: "saveVcons",
    tags: ["vcons"],
    summary: "Save one vCon, or an array of vCons, to every write storage",
    description:
      "Every document is checked before anything is written: one bad vCon rejects the whole request. " +
      "Each document's JSON text is stored exactly as sent (for an array: each element's own text).",
    requestBody: body("One vCon, or an array of vCons saved together (at most `server.maxBatch`).", {
      anyOf: [ref("Vcon"), { type: "array", items: ref("Vcon") }],
    }),
    responses: {
      201: json("Saved in every write storage.", { anyOf: [ref("SaveResult"), ref("BatchSaveResult")] }),
      ...errors({ ...WRITE_ERRORS, 501: "NotSupported" }),
    },
  },
  "GET /vcons": {
    operationId: "searchVcons",
    tags: ["vcons"],
    summary: "Search one page at a time (the first read storage that supports search)",
    description:
      "Filters combine (AND). Pass `nextCursor` back as `cursor` for the next page. With `vcon_uuids` " +
      "(conserver's batch read) the answer is an array of vCons instead of a page.",
    parameters: queryParameters(searchQuery),
    responses: {
      200: json(
        "A page of matches, or (with vcon_uuids) the vCons asked for.",
        { anyOf: [ref("SearchPage"), ref("VconsByUuid")] },
        // Set when the primary could not answer and a replica did.
        { "vcon-storage-failures": { $ref: "#/components/headers/VconStorageFailures" } },
      ),
      ...errors({ ...READ_ERRORS, 501: "NotSupported" }),
    },
  },
  "GET /vcons/{uuid}": {
    operationId: "getVcon",
    tags: ["vcons"],
    summary: "Read a vCon: read storages are asked in configuration order, the first hit wins",
    parameters: [uuidParameter],
    responses: {
      200: json("The vCon.", ref("Vcon"), readHeaders),
      404: { $ref: "#/components/responses/NotFound" },
      ...errors(READ_ERRORS),
    },
  },
  "PUT /vcons/{uuid}": {
    operationId: "putVcon",
    tags: ["vcons"],
    summary: "Save one vCon under its uuid (created or replaced); the body's uuid must match the path",
    parameters: [uuidParameter],
    requestBody: vconBody,
    responses: {
      200: json("Saved in every write storage.", ref("SaveResult")),
      ...errors(WRITE_ERRORS),
    },
  },
  "DELETE /vcons/{uuid}": {
    operationId: "deleteVcon",
    tags: ["vcons"],
    summary: "Delete a vCon from every write storage",
    parameters: [uuidParameter],
    responses: {
      200: json("Deleted; each storage's outcome.", ref("DeleteResult")),
      404: { $ref: "#/components/responses/NotFound" },
      ...errors({ ...READ_ERRORS, 501: "NotSupported" }),
    },
  },
  "POST /vcon": {
    operationId: "conserverCreateVcon",
    tags: ["conserver"],
    summary: "conserver: store one vCon; answers the vCon",
    parameters: [
      {
        name: "ingress_lists",
        in: "query",
        description: "conserver's processing queues: not supported here (501).",
        schema: { type: "array", items: { type: "string" } },
        style: "form",
        explode: true,
      },
    ],
    requestBody: vconBody,
    responses: {
      201: json("Stored in every write storage.", ref("Vcon")),
      ...errors({ ...WRITE_ERRORS, 501: "NotSupported" }),
    },
  },
  "GET /vcon": {
    operationId: "conserverListVconUuids",
    tags: ["conserver"],
    summary: "conserver: uuids page by page, optionally between two dates",
    description: "In (created_at, uuid) ascending order (conserver answers newest first).",
    parameters: queryParameters(conserverListQuery),
    responses: {
      200: json("The page's uuids.", ref("UuidList")),
      ...errors({ ...READ_ERRORS, 501: "NotSupported" }),
    },
  },
  "GET /vcon/{uuid}": {
    operationId: "conserverGetVcon",
    tags: ["conserver"],
    summary: "conserver: read a vCon",
    parameters: [uuidParameter],
    responses: {
      200: json("The vCon.", ref("Vcon"), readHeaders),
      404: { $ref: "#/components/responses/NotFound" },
      ...errors(READ_ERRORS),
    },
  },
  "DELETE /vcon/{uuid}": {
    operationId: "conserverDeleteVcon",
    tags: ["conserver"],
    summary: "conserver: delete a vCon (204 whether or not it was stored)",
    parameters: [uuidParameter],
    responses: {
      204: noContent("Not stored in any write storage any more."),
      ...errors({ ...READ_ERRORS, 501: "NotSupported" }),
    },
  },
  "GET /vcons/search": {
    operationId: "conserverSearchVconUuids",
    tags: ["conserver"],
    summary: "conserver: uuids of every vCon matching all given terms (at least one)",
    parameters: queryParameters(conserverSearchQuery),
    responses: {
      200: json("Every matching uuid, in (created_at, uuid) order.", ref("UuidList")),
      ...errors({ ...READ_ERRORS, 501: "NotSupported" }),
    },
  },
  "GET /health": {
    operationId: "getHealth",
    tags: ["health"],
    summary: "Probe every storage (a read of an unused uuid, bounded); the detailed report",
    responses: {
      200: json("Every storage answered.", ref("Health")),
      503: json("A storage did not answer: status degraded or down.", ref("Health")),
      401: { $ref: "#/components/responses/Unauthorized" },
      403: { $ref: "#/components/responses/Forbidden" },
    },
  },
  "GET /livez": {
    operationId: "getLiveness",
    tags: ["health"],
    summary: "Liveness: 200 while the process serves requests (no key, no detail)",
    security: [],
    responses: { 200: json("Alive.", ref("Liveness")) },
  },
  "GET /readyz": {
    operationId: "getReadiness",
    tags: ["health"],
    summary: "Readiness: 200 when every storage answers; per-storage detail only with a valid key",
    security: [],
    responses: {
      200: json("Every storage answered.", ref("Readiness")),
      503: json("A storage did not answer.", ref("Readiness")),
    },
  },
};
