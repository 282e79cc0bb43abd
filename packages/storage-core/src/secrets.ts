const MASK = "***";

/**
 * `scheme://user:password@host` keeps the user, loses the password. The lookbehind lets a scheme start
 * only at the first letter of a run of scheme characters (where the match would start anyway): without
 * it every letter of a long word is tried as a start, which is quadratic (a 1 MB word in an error
 * message held the event loop for minutes).
 */
const URL_PASSWORD = /(?<![a-z][a-z0-9+.-]*?)([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):([^@/?#\s]*)@/gi;
/** `password=secret` in keyword/value connection strings and query strings. */
const KEYWORD_PASSWORD = /\b(password|passwd|pwd)\s*=\s*('[^']*'|"[^"]*"|[^\s&;]+)/gi;

/**
 * Masks passwords in free text: those inside URLs, `password=` pairs, and every literal secret given.
 * Used on every error message and log line that could carry a driver's words.
 */
export function scrubSecrets(text: string, secrets: readonly string[] = []): string {
  let scrubbed = text.replace(URL_PASSWORD, `$1:${MASK}@`).replace(KEYWORD_PASSWORD, `$1=${MASK}`);
  for (const secret of secrets) {
    // Very short secrets would mask ordinary words; they are still masked when they appear in URLs above.
    if (secret.length >= 3) scrubbed = scrubbed.split(secret).join(MASK);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret && encoded.length >= 3) scrubbed = scrubbed.split(encoded).join(MASK);
  }
  return scrubbed;
}

/** A copy of a URL string with its password masked. */
export function redactUrl(url: string): string {
  return scrubSecrets(url);
}
