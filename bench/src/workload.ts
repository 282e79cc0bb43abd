import type { BenchDoc } from "./documents.js";

/** A created_at range, `since` inclusive, `until` exclusive (what export and its concurrency split use). */
export interface TimeRange {
  since: Date;
  until: Date;
}

/**
 * The work every scenario does, implemented twice per target: once with the raw driver and once
 * through the vCon storage API. Both sides do the same work, so the ratio is the cost of the layer.
 */
export interface Workload {
  /** Upsert one document. */
  save(doc: BenchDoc): Promise<void>;
  /** The parsed document, or null. */
  get(uuid: string): Promise<unknown>;
  /** Write many documents in one call (the ceiling on the raw side: COPY or a pipeline). */
  saveBatch(docs: readonly BenchDoc[]): Promise<void>;
  /** Documents where a party has this tel; returns how many were found (first page, 100 at most). */
  searchTel?(tel: string): Promise<number>;
  /** Streams every document in the range, parsing each; returns the count. */
  exportRange?(range: TimeRange): Promise<number>;
  /** What an operator runs after a bulk load (VACUUM ANALYZE: planner statistics, GIN pending list merged). */
  afterBulkLoad?(): Promise<void>;
  /** Removes every stored document (before batch ingest into an empty store). */
  clear(): Promise<void>;
  close(): Promise<void>;
}

/** The two sides of one target. */
export interface WorkloadPair {
  raw: Workload;
  adapter: Workload;
}
