import type { Vcon } from "@vcon/storage-core";
import { SeededRandom } from "./random.js";

/** The three document sizes of the issue. */
export type DocSize = "2KB" | "50KB" | "1MB";
export const DOC_SIZES: readonly DocSize[] = ["2KB", "50KB", "1MB"];

/** A generated vCon plus the facts scenarios need without reading it again. */
export interface BenchDoc {
  uuid: string;
  vcon: Vcon;
  createdAt: string;
  /** The customer's tel: unique per (series, index), what the search scenario looks up. */
  tel: string;
}

/** All documents are created in this window, one second apart, so export ranges are predictable. */
export const EPOCH_MS = Date.UTC(2025, 0, 1);

const WORDS = (
  "account balance billing call cancel card charge contract customer delivery device discount email " +
  "error invoice issue late modem network number order outage payment phone plan price refund reset " +
  "router service signal support technician transfer upgrade warranty yes no please thanks today tomorrow " +
  "monday friday week month again already help check confirm explain happy understand wait minute"
).split(" ");

const AGENTS = Array.from({ length: 50 }, (_, i) => ({
  name: `Agent ${String(i).padStart(2, "0")}`,
  tel: `+1800555${String(i).padStart(4, "0")}`,
  mailto: `agent${i}@support.example.com`,
}));

/** A uuid, tel and time that depend only on (seed, series, index): any document can be made on its own. */
export function makeDoc(size: DocSize, seed: number, series: number, index: number): BenchDoc {
  const random = new SeededRandom(seed * 7919 + series * 104729 + index);
  const uuid = random.uuid();
  const createdAt = new Date(EPOCH_MS + index * 1000).toISOString();
  const tel = telOf(series, index);
  const agent = random.pick(AGENTS);
  const parties = [
    { tel, name: `Customer ${index}`, mailto: `customer${index}@example.org`, role: "customer" },
    { ...agent, role: "agent" },
  ];
  const vcon: Vcon = {
    vcon: "0.3.0",
    uuid,
    created_at: createdAt,
    subject: `${random.pick(WORDS)} ${random.pick(WORDS)} ${random.pick(WORDS)}`,
    parties,
    dialog: [],
    analysis: [],
    attachments: [],
  };
  if (size === "2KB") addTextDialog(vcon, random, createdAt, 8);
  if (size === "50KB") addTranscriptWithAnalysis(vcon, random, createdAt);
  if (size === "1MB") addInlineRecording(vcon, random, createdAt, seed);
  return { uuid, vcon, createdAt, tel };
}

/** `count` documents of one size, indexes `from` to `from + count - 1`. */
export function makeDocs(size: DocSize, seed: number, series: number, count: number, from = 0): BenchDoc[] {
  return Array.from({ length: count }, (_, i) => makeDoc(size, seed, series, from + i));
}

function sentence(random: SeededRandom, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(random.pick(WORDS));
  return `${out.join(" ")}.`;
}

function addTextDialog(vcon: Vcon, random: SeededRandom, start: string, messages: number): void {
  for (let i = 0; i < messages; i++) {
    vcon.dialog!.push({
      type: "text",
      start,
      parties: [i % 2],
      originator: i % 2,
      mediatype: "text/plain",
      encoding: "none",
      body: sentence(random, 10 + random.int(6)),
    });
  }
}

function addTranscriptWithAnalysis(vcon: Vcon, random: SeededRandom, start: string): void {
  vcon.dialog!.push({
    type: "recording",
    start,
    duration: 900 + random.int(600),
    parties: [0, 1],
    mediatype: "audio/x-wav",
    url: `https://media.example.com/recordings/${vcon.uuid}.wav`,
    content_hash: `sha512-${random.bytes(64).toString("base64url")}`,
  });
  const turns = Array.from({ length: 260 }, (_, i) => ({
    speaker: i % 2,
    start: i * 3.5,
    end: i * 3.5 + 3.2,
    text: sentence(random, 12 + random.int(10)),
    confidence: Math.round((0.8 + random.next() * 0.2) * 1000) / 1000,
  }));
  vcon.analysis!.push(
    { type: "transcript", dialog: 0, vendor: "bench-asr", encoding: "json", body: JSON.stringify({ turns }) },
    { type: "summary", dialog: 0, vendor: "bench-llm", encoding: "none", body: sentence(random, 80) },
    {
      type: "sentiment",
      dialog: 0,
      vendor: "bench-llm",
      encoding: "json",
      body: JSON.stringify(turns.slice(0, 60).map((t) => ({ start: t.start, score: random.next() * 2 - 1 }))),
    },
  );
}

const recordingCache = new Map<number, string>();

/** About 1 MB of base64url audio. Generated once per seed: every large document carries the same bytes. */
function recordingBody(seed: number): string {
  let body = recordingCache.get(seed);
  if (!body) {
    body = new SeededRandom(seed).bytes(760_000).toString("base64url");
    recordingCache.set(seed, body);
  }
  return body;
}

function addInlineRecording(vcon: Vcon, random: SeededRandom, start: string, seed: number): void {
  vcon.dialog!.push({
    type: "recording",
    start,
    duration: 47 + random.int(10),
    parties: [0, 1],
    mediatype: "audio/x-wav",
    filename: `${vcon.uuid}.wav`,
    encoding: "base64url",
    body: recordingBody(seed),
  });
}

/** The customer tel of document (series, index), without generating the document. */
export function telOf(series: number, index: number): string {
  return `+1${String(200 + series).padStart(3, "0")}${String(index).padStart(7, "0")}`;
}
