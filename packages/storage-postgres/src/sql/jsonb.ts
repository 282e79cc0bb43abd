/**
 * jsonb refuses two things JSON text may hold: the escape `\u0000` and escapes of lone surrogates
 * (`\ud800` without its pair). The `vcon` column keeps the exact text; only the queryable copy in
 * `vcon_json` gets those characters replaced by U+FFFD.
 */
const UNSAFE_ESCAPE =
  /\\u0000|\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f][0-9a-f]{2})|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2}/gi;
const QUICK_CHECK = /\\u0000|\\ud[89a-f]/i;

/** A copy of `json` that jsonb accepts, or null when the text is fine as it is (the common case). */
export function jsonbSafeCopy(json: string): string | null {
  if (!QUICK_CHECK.test(json)) return null;
  const sanitised = json.replace(UNSAFE_ESCAPE, (match, offset: number) =>
    isEscaped(json, offset) ? match : "\\ufffd",
  );
  return sanitised === json ? null : sanitised;
}

/** True when the backslash at `offset` is itself escaped (`\\u0000` is the text "\u0000", not NUL). */
function isEscaped(text: string, offset: number): boolean {
  let backslashes = 0;
  for (let i = offset - 1; i >= 0 && text[i] === "\\"; i--) backslashes++;
  return backslashes % 2 === 1;
}

/** Text columns (the subject copy) cannot hold NUL either: the document text keeps it, the copy gets U+FFFD. */
export function textColumnSafe(value: string | null): string | null {
  return value?.includes("\u0000") ? value.replaceAll("\u0000", "\ufffd") : value;
}
