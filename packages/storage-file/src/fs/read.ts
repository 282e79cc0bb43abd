import { readFile, stat } from "node:fs/promises";
import {
  type IndexedRecord,
  type PreparedVcon,
  prepareVcon,
  searchTextOf,
  tagsOf,
  type VconDocument,
} from "@vcon/storage-core/adapter";
import { corrupt, fsError, isMissing } from "../errors.js";
import { uuidInName } from "./layout.js";

/** Stored files are read back without the size limit a save applies: they were accepted once. */
const READ_LIMITS = { maxDocumentBytes: Number.MAX_SAFE_INTEGER, maxDepth: 100_000 };

/** A file's text, or null when it does not exist. */
export async function readText(path: string, signal?: AbortSignal): Promise<string | null> {
  try {
    return await readFile(path, { encoding: "utf8", signal });
  } catch (error) {
    if (isMissing(error)) return null;
    throw fsError(error, "read", path);
  }
}

/** A stored document, or null when the file does not exist. Not JSON: INTERNAL naming the file. */
export async function readDocument(path: string): Promise<VconDocument | null> {
  const text = await readText(path);
  if (text === null) return null;
  try {
    return JSON.parse(text) as VconDocument;
  } catch (error) {
    throw corrupt(path, (error as Error).message);
  }
}

/** Which optional search fields a scan needs: computing a vCon's searchable text is work a tel search skips. */
export interface IndexFields {
  text?: boolean;
  tags?: boolean;
}

/**
 * The search fields of a stored file's `text`, or null when the file vanished meanwhile. A file that is
 * not a vCon, or holds another uuid than its name, is INTERNAL naming it. A document without created_at
 * is placed at the file's modification time.
 */
export async function indexStoredFile(
  path: string,
  text: string,
  fields: IndexFields = {},
): Promise<IndexedRecord | null> {
  let prepared: PreparedVcon;
  try {
    prepared = prepareVcon(text, READ_LIMITS);
  } catch (error) {
    throw corrupt(path, (error as Error).message);
  }
  const named = uuidInName(path);
  if (named !== undefined && named !== prepared.uuid) {
    throw corrupt(path, `it holds the vCon ${prepared.uuid}, so it should be named ${prepared.uuid}.json`);
  }
  let createdAtMs = prepared.createdAtMs;
  if (createdAtMs === null) {
    const mtimeMs = await modifiedAt(path);
    if (mtimeMs === null) return null;
    createdAtMs = mtimeMs;
  }
  const record: IndexedRecord = {
    uuid: prepared.uuid,
    createdAtMs,
    subject: prepared.subject,
    parties: prepared.parties,
  };
  if (fields.text) record.text = searchTextOf(prepared);
  if (fields.tags) record.tags = tagsOf(prepared);
  return record;
}

/** The file's modification time in whole ms, or null when it does not exist. */
export async function modifiedAt(path: string): Promise<number | null> {
  try {
    return Math.round((await stat(path)).mtimeMs);
  } catch (error) {
    if (isMissing(error)) return null;
    throw fsError(error, "stat", path);
  }
}
