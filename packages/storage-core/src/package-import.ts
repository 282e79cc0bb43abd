/**
 * Importing a package as seen from a given place (an app's folder, a package's own module), the way
 * Node itself would resolve it there. Paths come from `fileURLToPath`, never `URL.pathname`, which
 * keeps `%20` and so breaks on folders with spaces (and on Windows drive letters).
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * Where to resolve from: a directory path, or a `file:` URL (a `URL` or its text), such as a module's
 * `import.meta.url` (resolution starts at that module's folder) or a folder URL ending in `/`.
 */
export type ResolveFrom = string | URL;

/** The file path Node's resolver should start from, for `createRequire`. */
export function resolutionBase(from: ResolveFrom): string {
  if (typeof from === "string" && !from.startsWith("file:")) return join(from, "noop.js");
  const url = typeof from === "string" ? new URL(from) : from;
  const path = fileURLToPath(url);
  return url.pathname.endsWith("/") ? join(path, "noop.js") : path;
}

/** The file a specifier resolves to from `from`; throws Node's MODULE_NOT_FOUND error when missing. */
export function resolvePackage(specifier: string, from: ResolveFrom): string {
  return createRequire(resolutionBase(from)).resolve(specifier);
}

/** `import()` of a specifier as resolved from `from` (see `ResolveFrom`). */
export async function importFrom(specifier: string, from: ResolveFrom): Promise<Record<string, unknown>> {
  return import(pathToFileURL(resolvePackage(specifier, from)).href);
}
