import { createReadStream } from "node:fs";
import { opendir, readFile, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { createInterface } from "node:readline";

/** One document's text and where it came from (`file:line`), for failure messages. */
export interface SourceItem {
  where: string;
  text: string;
}

/** Files holding one vCon each; everything else is read as JSON lines. */
const SINGLE_DOCUMENT_EXTENSIONS = new Set([".json", ".vcon"]);
const LINES_EXTENSIONS = new Set([".jsonl", ".ndjson"]);

/**
 * The documents of an import source, streamed: `-` is stdin (JSON lines), a folder is walked lazily
 * (`.json`/`.vcon` files hold one vCon, `.jsonl`/`.ndjson` one per line), any other file is JSON lines.
 */
export async function* readSource(source: string): AsyncGenerator<SourceItem> {
  if (source === "-") {
    yield* readLines(process.stdin, "stdin");
    return;
  }
  const info = await stat(source);
  if (info.isDirectory()) {
    yield* readFolder(source);
  } else if (SINGLE_DOCUMENT_EXTENSIONS.has(extname(source))) {
    yield { where: source, text: await readFile(source, "utf8") };
  } else {
    yield* readLines(createReadStream(source, { encoding: "utf8" }), source);
  }
}

async function* readFolder(folder: string): AsyncGenerator<SourceItem> {
  // Sorted per folder so imports are repeatable; only one folder's names are held at a time.
  const entries: { name: string; isDirectory: boolean }[] = [];
  for await (const entry of await opendir(folder)) {
    if (!entry.name.startsWith(".")) entries.push({ name: entry.name, isDirectory: entry.isDirectory() });
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    const path = join(folder, entry.name);
    const extension = extname(entry.name);
    if (entry.isDirectory) yield* readFolder(path);
    else if (SINGLE_DOCUMENT_EXTENSIONS.has(extension))
      yield { where: path, text: await readFile(path, "utf8") };
    else if (LINES_EXTENSIONS.has(extension))
      yield* readLines(createReadStream(path, { encoding: "utf8" }), path);
  }
}

async function* readLines(input: NodeJS.ReadableStream, name: string): AsyncGenerator<SourceItem> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let number = 0;
  for await (const line of lines) {
    number++;
    if (line.trim() !== "") yield { where: `${name}:${number}`, text: line };
  }
}
