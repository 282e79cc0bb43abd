/**
 * The OpenAPI components: the vCon's known top-level shape (unknown members kept), the answers of
 * every route, the error envelope, the headers routes send and the reusable error responses.
 * Generators (openapi-typescript, openapi-generator) turn these into named types.
 */

import { errorEnvelope, healthResponse, storageOutcome } from "../schemas.js";

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const dateTime = (description: string) => ({ type: "string", format: "date-time", description });

const party = {
  type: "object",
  description: "A participant. Search matches `tel`, `mailto` and `name`.",
  additionalProperties: true,
  properties: {
    tel: { type: "string", description: "Telephone number (TEL URL without the scheme), e.g. +15551230001." },
    mailto: { type: "string", description: "E-mail address (without the mailto: scheme)." },
    name: { type: "string" },
    uuid: { type: "string", format: "uuid" },
    did: { type: "string" },
    role: { type: "string" },
    validation: { type: "string" },
    timezone: { type: "string" },
    meta: { type: "object", additionalProperties: true },
  },
};

const dialog = {
  type: "object",
  description: "A recording, text message, transfer or incomplete call.",
  additionalProperties: true,
  properties: {
    type: { type: "string", description: "recording, text, transfer or incomplete" },
    start: dateTime("When the dialog started."),
    duration: { type: "number", description: "Seconds." },
    parties: {
      description: "Index (or indexes) into `parties`.",
      anyOf: [{ type: "integer" }, { type: "array", items: {} }],
    },
    originator: { type: "integer" },
    mediatype: { type: "string" },
    filename: { type: "string" },
    body: { type: "string" },
    encoding: { type: "string", description: "base64url, json or none" },
    url: { type: "string", format: "uri" },
    content_hash: { anyOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] },
    disposition: { type: "string" },
    meta: { type: "object", additionalProperties: true },
  },
};

const analysisOrAttachment = (description: string) => ({
  type: "object",
  description,
  additionalProperties: true,
  properties: {
    type: { type: "string" },
    purpose: { type: "string", description: "Attachments: `tags` marks the tags attachment." },
    dialog: { anyOf: [{ type: "integer" }, { type: "array", items: { type: "integer" } }] },
    party: { type: "integer" },
    start: dateTime("When it was made."),
    mediatype: { type: "string" },
    vendor: { type: "string" },
    product: { type: "string" },
    schema: { type: "string" },
    body: { description: "Text, base64url, or (encoding json) any JSON value." },
    encoding: { type: "string", description: "base64url, json or none" },
    url: { type: "string", format: "uri" },
    content_hash: { anyOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] },
  },
});

const unsignedVcon = {
  type: "object",
  title: "Unsigned vCon",
  description:
    "An unsigned vCon (draft-ietf-vcon-vcon-core). Only `uuid` is required to store it; every member, " +
    "known or not, is stored and returned as sent.",
  additionalProperties: true,
  required: ["uuid"],
  properties: {
    uuid: { type: "string", format: "uuid" },
    vcon: { type: "string", description: "Syntax version, e.g. 0.0.2." },
    created_at: dateTime("When the vCon was created; search filters `since`/`until` use it."),
    updated_at: dateTime("When the vCon was last changed."),
    subject: { type: ["string", "null"] },
    parties: { type: "array", items: ref("Party") },
    dialog: { type: "array", items: ref("Dialog") },
    analysis: { type: "array", items: ref("Analysis") },
    attachments: { type: "array", items: ref("Attachment") },
    group: { type: "array", items: { type: "object", additionalProperties: true } },
    redacted: { type: "object", additionalProperties: true },
    amended: { type: "object", additionalProperties: true },
    extensions: { type: "array", items: { type: "string" } },
    critical: { type: "array", items: { type: "string" } },
    meta: { type: "object", additionalProperties: true },
  },
};

const signedVcon = {
  type: "object",
  title: "Signed vCon (JWS, general JSON serialisation)",
  description: "Stored under the uuid of its payload or of a signature header; its bytes are kept.",
  additionalProperties: true,
  required: ["payload", "signatures"],
  properties: {
    payload: { type: "string", description: "base64url of the unsigned vCon." },
    signatures: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: true,
        properties: {
          protected: { type: "string" },
          header: { type: "object", additionalProperties: true },
          signature: { type: "string" },
        },
      },
    },
  },
};

const encryptedVcon = {
  type: "object",
  title: "Encrypted vCon (JWE, general JSON serialisation)",
  description: "Stored under `unprotected.uuid`; not searchable.",
  additionalProperties: true,
  required: ["ciphertext"],
  properties: {
    protected: { type: "string" },
    unprotected: {
      type: "object",
      additionalProperties: true,
      properties: { uuid: { type: "string", format: "uuid" } },
    },
    recipients: { type: "array", items: { type: "object", additionalProperties: true } },
    iv: { type: "string" },
    ciphertext: { type: "string" },
    tag: { type: "string" },
  },
};

export const schemas = {
  Vcon: {
    description: "A vCon in any of its three forms.",
    anyOf: [ref("UnsignedVcon"), ref("SignedVcon"), ref("EncryptedVcon")],
  },
  UnsignedVcon: unsignedVcon,
  SignedVcon: signedVcon,
  EncryptedVcon: encryptedVcon,
  Party: party,
  Dialog: dialog,
  Analysis: analysisOrAttachment("The output of an analysis: transcript, summary, sentiment, ..."),
  Attachment: analysisOrAttachment("Any other document attached to the conversation."),
  StorageOutcome: storageOutcome,
  SaveResult: {
    type: "object",
    description: "One vCon saved.",
    properties: {
      uuid: { type: "string", format: "uuid", description: "Canonical (lower case) uuid." },
      storages: { type: "array", items: ref("StorageOutcome") },
    },
    required: ["uuid", "storages"],
  },
  BatchSaveResult: {
    type: "object",
    description: "An array of vCons saved together.",
    properties: {
      uuids: { type: "array", items: { type: "string", format: "uuid" }, description: "In request order." },
      count: { type: "integer" },
      storages: { type: "array", items: ref("StorageOutcome") },
    },
    required: ["uuids", "count", "storages"],
  },
  DeleteResult: {
    type: "object",
    properties: {
      uuid: { type: "string", format: "uuid" },
      deleted: { type: "boolean", const: true },
      storages: { type: "array", items: ref("StorageOutcome") },
    },
    required: ["uuid", "deleted", "storages"],
  },
  SearchPage: {
    type: "object",
    description: "One page of search results, in (created_at, uuid) order.",
    properties: {
      items: { type: "array", items: ref("Vcon") },
      nextCursor: {
        type: ["string", "null"],
        description: "Pass as `cursor` for the next page; null on the last.",
      },
      storage: { type: "string", description: "The storage that answered." },
    },
    required: ["items", "nextCursor", "storage"],
  },
  VconsByUuid: {
    type: "array",
    description: "conserver's shape: one entry per requested uuid, in order; null where none is stored.",
    items: { anyOf: [ref("Vcon"), { type: "null" }] },
  },
  UuidList: {
    type: "array",
    description: "conserver's shape: a list of vCon uuids.",
    items: { type: "string", format: "uuid" },
  },
  // The route's own response schema: what /health serialises is what the document says.
  Health: healthResponse,
  Liveness: {
    type: "object",
    properties: { status: { type: "string", const: "ok" } },
    required: ["status"],
  },
  Readiness: {
    type: "object",
    description: "`storages` only for callers with a valid key.",
    properties: {
      status: { type: "string", enum: ["ok", "degraded", "down"] },
      storages: { type: "array", items: { type: "object", additionalProperties: true } },
    },
    required: ["status"],
  },
  Error: errorEnvelope(ref("StorageOutcome")),
} as const;

export const headers = {
  RequestId: {
    description: "The request's id: the client's `x-request-id`, or one generated. Logged with the request.",
    schema: { type: "string" },
  },
  RetryAfter: {
    description: "Seconds to wait before retrying.",
    schema: { type: "integer" },
  },
  VconStorage: {
    description: "The configuration name of the storage that answered.",
    schema: { type: "string" },
  },
  VconStorageFailures: {
    description: "Storages asked before the one that answered that failed: `name=CODE, name=CODE`.",
    schema: { type: "string" },
  },
  Allow: {
    description: "The methods the path accepts.",
    schema: { type: "string" },
  },
  WwwAuthenticate: {
    description: "How to authenticate: `Bearer`.",
    schema: { type: "string" },
  },
} as const;

const requestIdHeader = { "x-request-id": { $ref: "#/components/headers/RequestId" } };

function errorResponse(description: string, extraHeaders: Record<string, unknown> = {}) {
  return {
    description,
    headers: { ...requestIdHeader, ...extraHeaders },
    content: { "application/json": { schema: ref("Error") } },
  };
}

export const responses = {
  BadRequest: errorResponse(
    "VALIDATION: bad JSON (with its line and column), not a vCon, bad uuid, date or cursor, unknown parameter.",
  ),
  Unauthorized: errorResponse("No API key, or a wrong one.", {
    "www-authenticate": { $ref: "#/components/headers/WwwAuthenticate" },
  }),
  Forbidden: errorResponse("The API key lacks the scope this operation needs (read, write or delete)."),
  NotFound: errorResponse("No such vCon (or no storage had it)."),
  Conflict: errorResponse("CONFLICT: a storage refused the write as conflicting."),
  PayloadTooLarge: errorResponse("The body is over `server.bodyLimit`."),
  UnsupportedMediaType: errorResponse("The body is not application/json or application/vcon+json."),
  Internal: errorResponse("INTERNAL: unexpected; logged, never with secrets."),
  NotSupported: errorResponse("NOT_SUPPORTED: no configured storage can do this (e.g. search)."),
  Unavailable: errorResponse("UNAVAILABLE or CLOSED: a storage is down; `error.storages` says which.", {
    "retry-after": { $ref: "#/components/headers/RetryAfter" },
  }),
} as const;

export type ResponseName = keyof typeof responses;

export { ref, requestIdHeader };
