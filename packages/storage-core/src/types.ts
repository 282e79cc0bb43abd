/**
 * vCon types after the IETF vCon container draft (draft-ietf-vcon-vcon-core).
 *
 * Every object type is open (`[key: string]: unknown`): storage keeps fields it does not know,
 * so documents from newer or older draft versions survive a round trip unchanged.
 */

/** A JSON value as stored: what `JSON.parse` can return. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** An open object: the named fields are typed, anything else is kept as-is. */
export interface Extensible {
  [key: string]: unknown;
}

export interface Party extends Extensible {
  tel?: string;
  mailto?: string;
  name?: string;
  stir?: string;
  validation?: string;
  gmlpos?: string;
  civicaddress?: Record<string, string>;
  uuid?: string;
  role?: string;
  contact_list?: string;
  sip?: string;
  did?: string;
}

/** Content carried inline (`body` + `encoding`) or by reference (`url` + `content_hash`). */
export interface ContentRef extends Extensible {
  mediatype?: string;
  filename?: string;
  body?: string;
  encoding?: "base64url" | "json" | "none" | (string & {});
  url?: string;
  content_hash?: string | string[];
  /** Older drafts: `alg` + `signature` instead of `content_hash`. */
  alg?: string;
  signature?: string;
}

export interface Dialog extends ContentRef {
  type: "recording" | "text" | "transfer" | "incomplete" | (string & {});
  start?: string;
  duration?: number;
  parties?: number | number[] | (number | number[])[];
  originator?: number;
  disposition?: string;
  session_id?: unknown;
  application?: string;
  message_id?: string;
}

export interface Analysis extends ContentRef {
  type: string;
  dialog?: number | number[];
  vendor?: string;
  product?: string;
  schema?: string;
}

export interface Attachment extends ContentRef {
  type?: string;
  purpose?: string;
  start?: string;
  party?: number;
  dialog?: number;
}

/** A reference to another vCon (used by `group`, `redacted`, `amended`). */
export interface VconRef extends ContentRef {
  uuid?: string;
  type?: string;
}

/** An unsigned, unencrypted vCon. */
export interface Vcon extends Extensible {
  uuid: string;
  /** Deprecated syntax version, kept when present. */
  vcon?: string;
  created_at?: string;
  updated_at?: string;
  subject?: string;
  parties?: Party[];
  dialog?: Dialog[];
  analysis?: Analysis[];
  attachments?: Attachment[];
  group?: VconRef[];
  redacted?: VconRef;
  amended?: VconRef;
  /** Older drafts' name for `amended`. */
  appended?: VconRef;
  extensions?: string[];
  critical?: string[];
}

/** A signed vCon: JWS general JSON serialization. The uuid travels in `signatures[].header.uuid`. */
export interface SignedVcon extends Extensible {
  payload: string;
  signatures: Array<
    Extensible & {
      protected?: string;
      header?: Extensible & { uuid?: string; alg?: string; x5c?: string[]; x5u?: string };
      signature: string;
    }
  >;
}

/** An encrypted vCon: JWE general JSON serialization. The uuid travels in `unprotected.uuid`. */
export interface EncryptedVcon extends Extensible {
  protected?: string;
  unprotected?: Extensible & { uuid?: string; cty?: string; enc?: string };
  recipients?: Array<Extensible & { header?: Extensible; encrypted_key?: string }>;
  iv: string;
  ciphertext: string;
  tag: string;
}

/** Any storable vCon form. */
export type VconDocument = Vcon | SignedVcon | EncryptedVcon;

/** Which of the three forms a document has. */
export type VconForm = "unsigned" | "signed" | "encrypted";
