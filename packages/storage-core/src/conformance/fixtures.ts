/**
 * vCons in the shapes of the IETF vCon core draft's examples, written for this project (not copied):
 * an unsigned call with an external recording, a call with an inline base64url recording, an email
 * thread with group/redacted/subject, a JWS signed form and a JWE encrypted form.
 * Each builder takes the uuid (and optionally the first party's tel) so tests never share documents.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { EncryptedVcon, SignedVcon, Vcon } from "../types.js";

/** A fresh random uuid (v4, lower case). */
export function randomVconUuid(): string {
  return randomUUID();
}

/** A value no other test (or earlier run against the same backend) uses: scopes searches. */
export function uniqueToken(): string {
  return randomBytes(8).toString("hex");
}

/** A random E.164-looking number, unique per call with overwhelming probability. */
export function uniqueTel(): string {
  const digits = BigInt(`0x${randomBytes(8).toString("hex")}`)
    .toString()
    .padStart(20, "0")
    .slice(0, 14);
  return `+1${digits}`;
}

/** A random millisecond instant between 2000 and 2030, so time-range queries see few other documents. */
export function randomInstantMs(): number {
  const from = Date.UTC(2000, 0, 1);
  const span = Date.UTC(2030, 0, 1) - from;
  return from + Math.floor((randomBytes(6).readUIntBE(0, 6) / 2 ** 48) * span);
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export interface FixtureOptions {
  tel?: string;
  createdAt?: string;
}

/** An unsigned call whose recording lives behind `url` + `content_hash`. */
export function externalRecordingCall(uuid: string, options: FixtureOptions = {}): Vcon {
  return {
    vcon: "0.3.0",
    uuid,
    created_at: options.createdAt ?? "2023-04-11T18:20:51.123+00:00",
    subject: "Billing question",
    parties: [
      { tel: options.tel ?? "+15551230001", name: "Ana Caller", role: "customer" },
      { tel: "+15559870002", name: "Ben Agent", role: "agent", mailto: "ben@example.net" },
    ],
    dialog: [
      {
        type: "recording",
        start: "2023-04-11T18:20:51.123+00:00",
        duration: 61.5,
        parties: [0, 1],
        originator: 0,
        mediatype: "audio/x-wav",
        filename: "billing-call.wav",
        url: "https://media.example.com/recordings/billing-call.wav",
        content_hash:
          "sha512-3bVmfk2mFeQhkvRsZVq3VKOMkqLXZCqQbX8wYtHEm1gVjL8jOlwOg6vYpSmcQAbT1I8nKiUd3iHvZ9Wd2cG8Rw",
      },
    ],
    analysis: [],
    attachments: [],
  };
}

/** An unsigned call carrying its recording inline as base64url. */
export function inlineRecordingCall(uuid: string, options: FixtureOptions = {}): Vcon {
  const fakeWav = Buffer.concat([
    Buffer.from("RIFF\u0024\u0000\u0000\u0000WAVEfmt ", "latin1"),
    randomBytes(96),
  ]);
  return {
    uuid,
    created_at: options.createdAt ?? "2023-05-02T09:00:00.000Z",
    parties: [
      { tel: options.tel ?? "+15551230003", name: "Chen Wu" },
      { tel: "+15559870004", name: "Dana Support", validation: "none" },
    ],
    dialog: [
      {
        type: "recording",
        start: "2023-05-02T09:00:00.000Z",
        duration: 2.25,
        parties: [0, 1],
        mediatype: "audio/x-wav",
        filename: "short.wav",
        encoding: "base64url",
        body: fakeWav.toString("base64url"),
      },
    ],
    analysis: [
      {
        type: "transcript",
        dialog: 0,
        vendor: "ExampleSpeech",
        product: "asr-2",
        schema: "example-transcript-v1",
        encoding: "json",
        body: JSON.stringify({ text: "Hello, how can I help?", confidence: 0.93 }),
      },
    ],
    attachments: [],
  };
}

/** An email thread: text dialogs, a `group` list, a `redacted` object and a `subject`. */
export function emailThread(uuid: string, options: FixtureOptions = {}): Vcon {
  return {
    uuid,
    created_at: options.createdAt ?? "2024-01-15T12:30:00.250+00:00",
    subject: "Account problem",
    group: [],
    redacted: {},
    parties: [
      { mailto: "erin@example.org", name: "Erin", ...(options.tel ? { tel: options.tel } : {}) },
      { mailto: "frank@example.com", name: "Frank" },
    ],
    dialog: [
      {
        type: "text",
        start: "2024-01-15T12:30:00.250+00:00",
        duration: 0,
        parties: [0, 1],
        originator: 0,
        mediatype: "message/rfc822",
        encoding: "none",
        body: "Subject: Account problem\r\n\r\nI cannot log in since Tuesday.",
        message_id: "<a1b2c3@example.org>",
      },
      {
        type: "text",
        start: "2024-01-15T13:02:10.000+00:00",
        duration: 0,
        parties: [1, 0],
        originator: 1,
        mediatype: "text/plain",
        encoding: "none",
        body: "We reset your password; please try again.",
        message_id: "<d4e5f6@example.com>",
      },
    ],
    analysis: [],
    attachments: [
      {
        type: "tags",
        start: "2024-01-15T12:30:00.250+00:00",
        party: 0,
        dialog: 0,
        encoding: "json",
        body: '["login","urgent"]',
      },
    ],
  };
}

/** A signed vCon (JWS general JSON serialization): uuid in `signatures[0].header.uuid`. */
export function signedVcon(uuid: string, options: FixtureOptions = {}): SignedVcon {
  const payload = Buffer.from(JSON.stringify(externalRecordingCall(uuid, options)), "utf8").toString(
    "base64url",
  );
  return {
    payload,
    signatures: [
      {
        header: {
          alg: "RS256",
          x5c: [
            "MIIBszCCAVmgAwIBAgIUexampleCertificateChainOnly",
            "MIIBrjCCAVSgAwIBAgIUexampleRootCertificate",
          ],
          uuid,
        },
        protected: Buffer.from('{"alg":"RS256","typ":"JWS","cty":"application/vcon+json"}').toString(
          "base64url",
        ),
        signature: randomBytes(256).toString("base64url"),
      },
    ],
  };
}

/** An encrypted vCon (JWE general JSON serialization): uuid in `unprotected.uuid`. */
export function encryptedVcon(uuid: string): EncryptedVcon {
  return {
    protected: Buffer.from('{"alg":"RSA-OAEP","enc":"A256CBC-HS512"}').toString("base64url"),
    unprotected: { uuid, cty: "application/vcon+json", enc: "A256CBC-HS512" },
    recipients: [{ header: { alg: "RSA-OAEP" }, encrypted_key: randomBytes(256).toString("base64url") }],
    iv: randomBytes(16).toString("base64url"),
    ciphertext: randomBytes(1536).toString("base64url"),
    tag: randomBytes(32).toString("base64url"),
  };
}

/** Every sample shape by name, for tests that loop over them. */
export const SAMPLE_SHAPES = {
  "unsigned call with external recording": externalRecordingCall,
  "unsigned call with inline base64url recording": inlineRecordingCall,
  "email thread with group, redacted and subject": emailThread,
  "signed (JWS) vCon": signedVcon,
  "encrypted (JWE) vCon": (uuid: string) => encryptedVcon(uuid),
} as const satisfies Record<string, (uuid: string) => object>;

/** A minimal vCon for tests that only care about search keys. */
export function searchableVcon(
  uuid: string,
  fields: {
    tel?: string;
    mailto?: string;
    name?: string;
    subject?: string;
    createdAt?: string;
    extra?: object;
  },
): Vcon {
  const party: Record<string, string> = {};
  if (fields.tel !== undefined) party.tel = fields.tel;
  if (fields.mailto !== undefined) party.mailto = fields.mailto;
  if (fields.name !== undefined) party.name = fields.name;
  return {
    uuid,
    ...(fields.createdAt !== undefined ? { created_at: fields.createdAt } : {}),
    ...(fields.subject !== undefined ? { subject: fields.subject } : {}),
    parties: [party],
    dialog: [],
    ...fields.extra,
  };
}
