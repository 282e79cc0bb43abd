/** One row of a COPY text-format stream: `null` is written as `\N`. */
export type CopyRow = readonly (string | null)[];

/** Chunks of about this many UTF-16 code units: few large writes, memory bounded whatever the batch. */
const CHUNK_CHARS = 256 * 1024;

const SPECIAL = /[\\\t\n\r]/;
const SPECIALS = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/** A value in COPY text format: backslash, tab, newline and carriage return escaped. */
export function copyField(value: string | null): string {
  if (value === null) return "\\N";
  return SPECIAL.test(value) ? value.replace(SPECIALS, (c) => ESCAPES[c]!) : value;
}

/** Lines of COPY text format (tab-separated fields), grouped into chunks of whole lines. */
export function* copyChunks(rows: Iterable<CopyRow>): Generator<string> {
  let chunk = "";
  for (const row of rows) {
    let line = "";
    for (let i = 0; i < row.length; i++) line += (i === 0 ? "" : "\t") + copyField(row[i]!);
    chunk += `${line}\n`;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk.length > 0) yield chunk;
}
