/** The URL's password, both as written (percent-encoded) and decoded, so neither form leaks. */
export function secretsOfUrl(url: string): string[] {
  try {
    const raw = new URL(url).password;
    if (!raw) return [];
    let decoded = raw;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      // A malformed escape: the raw form is all there is.
    }
    return [...new Set([raw, decoded])];
  } catch {
    return [];
  }
}

export function secretsOf(password: string | undefined): string[] {
  return password ? [password] : [];
}
