import { createReadStream, fstatSync } from "node:fs";
import { opendir, readFile, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { createInterface } from "node:readline";

/** One document's text, where it came from (`file:line`, for failure messages) and its size in the source. */
export interface SourceItem {
  where: string;
  /** Empty for a blank line: nothing to import, but its bytes count towards progress. */
  text: string;
  /** Bytes of the source this item accounts for (its line and line break, or its whole file). */
  bytes: number;
}

/** Files holding one vCon each; everything else is read as JSON lines. */
const SINGLE_DOCUMENT_EXTENSIONS = new Set([".json", ".vcon"]);
const LINES_EXTENSIONS = new Set([".jsonl", ".ndjson"]);

/**
 * The documents of an import source, streamed: `-` is stdin (JSON lines), a folder is walked lazily
 * (`.json`/`.vcon` files hold one vCon, `.jsonl`/`.ndjson` one per line), any other file is JSON lines.
 */
export async function* readSource(source: string, signal?: AbortSignal): AsyncGenerator<SourceItem> {
  if (source === "-") {
    yield* readLines(process.stdin, "stdin", signal);
    return;
  }
  const info = await stat(source);
  if (info.isDirectory()) {
    yield* readFolder(source);
  } else if (SINGLE_DOCUMENT_EXTENSIONS.has(extname(source))) {
    yield { where: source, text: await readFile(source, "utf8"), bytes: info.size };
  } else {
    yield* readLines(createReadStream(source, { encoding: "utf8" }), source, signal);
  }
}

/**
 * How much a source holds, for a progress bar: the bytes of every file it will read (a folder is
 * walked once more, names and sizes only), and how many files. Null for a pipe: unknown ahead.
 */
export async function measureSource(source: string): Promise<{ bytes: number; files: number } | null> {
  if (source === "-") {
    // `import - < file.jsonl`: stdin is the file itself, so its size is known.
    const info = fstatSync(0);
    return info.isFile() ? { bytes: info.size, files: 1 } : null;
  }
  const info = await stat(source);
  if (!info.isDirectory()) return { bytes: info.size, files: 1 };
  let bytes = 0;
  let files = 0;
  for await (const path of sourceFiles(source)) {
    bytes += (await stat(path)).size;
    files++;
  }
  return { bytes, files };
}

async function* readFolder(folder: string): AsyncGenerator<SourceItem> {
  for await (const path of sourceFiles(folder)) {
    if (SINGLE_DOCUMENT_EXTENSIONS.has(extname(path))) {
      const text = await readFile(path, "utf8");
      yield { where: path, text, bytes: Buffer.byteLength(text, "utf8") };
    } else {
      yield* readLines(createReadStream(path, { encoding: "utf8" }), path);
    }
  }
}

/** The files a folder import reads, in a repeatable order; only one folder's names are held at a time. */
async function* sourceFiles(folder: string): AsyncGenerator<string> {
  const entries: { name: string; isDirectory: boolean }[] = [];
  for await (const entry of await opendir(folder)) {
    if (!entry.name.startsWith(".")) entries.push({ name: entry.name, isDirectory: entry.isDirectory() });
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    const path = join(folder, entry.name);
    const extension = extname(entry.name);
    if (entry.isDirectory) yield* sourceFiles(path);
    else if (SINGLE_DOCUMENT_EXTENSIONS.has(extension) || LINES_EXTENSIONS.has(extension)) yield path;
  }
}

/** Lines as they arrive; an abort (Ctrl-C) ends the read even while waiting on a quiet stdin. */
async function* readLines(
  input: NodeJS.ReadableStream,
  name: string,
  signal?: AbortSignal,
): AsyncGenerator<SourceItem> {
  if (signal?.aborted) return;
  const lines = createInterface({
    input,
    crlfDelay: Number.POSITIVE_INFINITY,
    ...(signal ? { signal } : {}),
  });
  let number = 0;
  for await (const line of lines) {
    number++;
    // The line break is counted as one byte: exact for \n files, close enough for \r\n ones.
    const bytes = Buffer.byteLength(line, "utf8") + 1;
    yield { where: `${name}:${number}`, text: line.trim() === "" ? "" : line, bytes };
  }
}
