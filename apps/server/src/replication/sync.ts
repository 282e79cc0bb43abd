import { createHash } from "node:crypto";
import { type VconDocument, type VconStorage, vconUuidOf } from "@vcon/storage-core";

export type DifferenceKind = "missing" | "different" | "extra";

export interface SyncOptions {
  /** List the differences only; write nothing. */
  dryRun?: boolean;
  /** Also delete documents the target has and the source does not. */
  delete?: boolean;
  /** Called for every difference found, in the order found. */
  onDifference?: (kind: DifferenceKind, uuid: string) => void;
}

export interface SyncReport {
  /** Documents read from the source. */
  compared: number;
  missing: number;
  different: number;
  extra: number;
  /** Documents written to the target (missing + different, unless a dry run). */
  copied: number;
  /** Documents deleted from the target (extra, with `delete`, unless a dry run). */
  deleted: number;
}

/** What a document's content is compared by: sha256 of its canonical stored text. */
export function contentHash(document: VconDocument): string {
  return createHash("sha256").update(JSON.stringify(document)).digest("base64");
}

/**
 * Makes `to` hold what `from` holds, by streaming both exports and comparing uuid + content hash.
 * Memory: one hash per target document (about 100 bytes each), never the documents themselves.
 * Writes are upserts and deletes, so a sync interrupted half way is simply run again.
 */
export async function syncStorages(
  from: VconStorage,
  to: VconStorage,
  options: SyncOptions = {},
): Promise<SyncReport> {
  const report: SyncReport = { compared: 0, missing: 0, different: 0, extra: 0, copied: 0, deleted: 0 };
  const note = options.onDifference ?? (() => {});
  const target = new Map<string, string>();
  for await (const document of to.export()) {
    const uuid = vconUuidOf(document);
    if (uuid) target.set(uuid, contentHash(document));
  }
  for await (const document of from.export()) {
    const uuid = vconUuidOf(document);
    if (!uuid) continue;
    report.compared++;
    const theirs = target.get(uuid);
    target.delete(uuid);
    const kind: DifferenceKind | null =
      theirs === undefined ? "missing" : theirs === contentHash(document) ? null : "different";
    if (!kind) continue;
    report[kind]++;
    note(kind, uuid);
    if (!options.dryRun) {
      await to.save(JSON.stringify(document));
      report.copied++;
    }
  }
  for (const uuid of target.keys()) {
    report.extra++;
    note("extra", uuid);
    if (options.delete && !options.dryRun && (await to.delete(uuid))) report.deleted++;
  }
  return report;
}
