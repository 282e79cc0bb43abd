/**
 * JSON schemas for the routes: Fastify validates requests and serialises answers with them; the
 * OpenAPI document (openapi/) takes its query parameters from the querystring schemas here.
 */

/** What one storage did, in write answers and error envelopes. */
export const storageOutcome = {
  type: "object",
  description: "What one storage did. Every storage involved is listed, failed or not.",
  properties: {
    storage: { type: "string", description: "The storage's configuration name." },
    ok: { type: "boolean" },
    saved: {
      type: "integer",
      description: "Documents this storage stored (also on failure: how many landed).",
    },
    deleted: { type: "boolean" },
    queued: {
      type: "integer",
      description:
        "A replica: entries durably queued in the replication journal, delivered in the background.",
    },
    code: { type: "string", description: "The failure's code when ok is false." },
    message: { type: "string" },
  },
  required: ["storage", "ok"],
} as const;

/**
 * The one shape of every error answer. `outcome` is the schema of a storage's outcome: inline for
 * Fastify's serialiser, a `$ref` to the component in the OpenAPI document.
 */
export function errorEnvelope(outcome: object) {
  return {
    type: "object",
    description: "Every error answer has this shape.",
    properties: {
      error: {
        type: "object",
        properties: {
          code: {
            type: "string",
            description:
              "VALIDATION, NOT_FOUND, UNAUTHORIZED, FORBIDDEN, CONFLICT, NOT_SUPPORTED, UNAVAILABLE, CLOSED, " +
              "INTERNAL, PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, METHOD_NOT_ALLOWED.",
          },
          message: { type: "string" },
          issues: {
            type: "array",
            description: "Each problem with its JSON path (`$.parties[0].tel`, `query.since`).",
            items: {
              type: "object",
              properties: { path: { type: "string" }, message: { type: "string" } },
              required: ["path", "message"],
            },
          },
          storages: { type: "array", items: outcome },
        },
        required: ["code", "message"],
      },
    },
    required: ["error"],
  } as const;
}

export const errorResponse = errorEnvelope(storageOutcome);

/** Any vCon: unsigned, signed (JWS) or encrypted (JWE). Unknown members are kept. */
export const vconDocument = {
  type: "object",
  additionalProperties: true,
  description: "A vCon (IETF draft-ietf-vcon-vcon-core) in any of its three forms.",
} as const;

export const uuidParams = {
  type: "object",
  properties: {
    uuid: { type: "string", description: "The vCon's uuid (any case, with or without braces)." },
  },
  required: ["uuid"],
} as const;
export const saveResponse = {
  type: "object",
  properties: {
    uuid: { type: "string", description: "When one vCon was posted." },
    uuids: { type: "array", items: { type: "string" }, description: "When an array was posted." },
    count: { type: "integer" },
    storages: { type: "array", items: storageOutcome },
  },
  required: ["storages"],
} as const;

/** The party filters both search routes take (ours and conserver's), with the same meaning. */
const partyFilters = {
  tel: { type: "string", description: "Exact match on any party's tel." },
  mailto: { type: "string", description: "Any party's mailto, ignoring case." },
  name: { type: "string", description: "Case-insensitive substring of any party's name." },
} as const;

/** created_at bounds, as search and conserver's list take them. */
const createdRange = {
  since: { type: "string", description: "created_at at or after this date-time (inclusive)." },
  until: { type: "string", description: "created_at before this date-time (exclusive)." },
} as const;

export const searchQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    ...partyFilters,
    subject: { type: "string", description: "Case-insensitive substring of the subject." },
    text: {
      type: "string",
      description:
        "Case-insensitive substring of the searchable text (subject, party names, text dialogs, analysis bodies); at least 3 characters.",
    },
    tag: {
      type: "array",
      items: { type: "string" },
      description:
        "A tag of the tags attachment, `key:value` or a bare `key`; repeat the parameter and every tag must be present.",
    },
    ...createdRange,
    limit: { type: "integer", minimum: 1, maximum: 1000, description: "Page size; 100 by default." },
    cursor: { type: "string", description: "nextCursor from the previous page." },
    vcon_uuids: {
      type: "array",
      items: { type: "string" },
      description:
        "conserver's batch read: repeat for each uuid. Answers an array (null where none is stored) instead of a page; no other parameter may be given with it.",
    },
  },
} as const;

/** conserver's `GET /vcon`: a page of uuids by page number. */
export const conserverListQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    page: { type: "integer", minimum: 1, default: 1, description: "Page number, from 1." },
    size: { type: "integer", minimum: 1, maximum: 1000, default: 50, description: "uuids per page." },
    ...createdRange,
  },
} as const;

/** conserver's `GET /vcons/search`: at least one of the three, all of them ANDed. */
export const conserverSearchQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    ...partyFilters,
  },
} as const;

/** conserver's `POST /vcon` query: its processing queues, which this service does not have. */
export const conserverPostQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    ingress_lists: {
      type: "array",
      items: { type: "string" },
      description: "conserver's processing queues: not supported here (answers 501).",
    },
  },
} as const;
export const deleteResponse = {
  type: "object",
  properties: {
    uuid: { type: "string" },
    deleted: { type: "boolean" },
    storages: { type: "array", items: storageOutcome },
  },
  required: ["uuid", "deleted", "storages"],
} as const;

/** A replica's backlog in the replication journal. */
export const replicationHealth = {
  type: "object",
  properties: {
    pending: { type: "integer", description: "Writes not yet acknowledged by the replica." },
    unfed: {
      type: "integer",
      description: "Of the pending writes, those still in the primary's change log (not in the journal yet).",
    },
    oldestPendingAgeMs: { type: ["integer", "null"], description: "Age of the oldest pending entry." },
    deadLetters: { type: "integer", description: "Entries the replica refused for good." },
    lastError: { type: ["string", "null"] },
    lastDeliveredAt: { type: ["string", "null"], format: "date-time" },
    fedBy: {
      type: ["string", "null"],
      description:
        "The journal feeding the primary's change log when it is another service's: this one then delivers nothing itself.",
    },
  },
  required: [
    "pending",
    "unfed",
    "oldestPendingAgeMs",
    "deadLetters",
    "lastError",
    "lastDeliveredAt",
    "fedBy",
  ],
} as const;

export const healthResponse = {
  type: "object",
  properties: {
    status: { type: "string", enum: ["ok", "degraded", "down"] },
    storages: {
      type: "array",
      items: {
        type: "object",
        properties: {
          name: { type: "string" },
          adapter: { type: "string" },
          role: { type: "string", enum: ["primary", "replica", "read-only"] },
          read: { type: "boolean" },
          write: { type: "boolean" },
          ok: { type: "boolean" },
          latencyMs: { type: "number" },
          code: { type: "string" },
          message: { type: "string" },
          replication: replicationHealth,
        },
        required: ["name", "adapter", "ok"],
      },
    },
  },
  required: ["status", "storages"],
} as const;
