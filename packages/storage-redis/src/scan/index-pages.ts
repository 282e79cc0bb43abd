import type { Cluster, Redis } from "ioredis";

/** An entry of a created_at index: a uuid and its score. */
export interface IndexMember {
  uuid: string;
  createdAtMs: number;
}

/** The score range a scan reads: from `min` (inclusive), below `maxExclusive`. */
export interface ScoreRange {
  min: number;
  maxExclusive: number;
}

export interface IndexPage {
  /** Members not seen before, in (score, uuid) order. */
  members: IndexMember[];
  /** The last page: nothing follows it. */
  last: boolean;
}

/**
 * Reads one created_at sorted set page by page in (score, member) order. Pages are keyed on the last
 * score read (an offset is used only within a run of equal scores), so a long export costs O(log n)
 * per page, not O(offset). A member is never returned twice, even if the set changes under the scan.
 */
export class IndexPages {
  #last: IndexMember | null = null;
  /** Members of the last score already read: the offset into that run of equal scores. */
  #skip = 0;
  #done = false;

  constructor(
    readonly client: Redis | Cluster,
    readonly key: string,
    readonly range: ScoreRange,
    readonly pageSize: number,
  ) {}

  /** The next page, or null after the last one. */
  async next(): Promise<IndexPage | null> {
    if (this.#done) return null;
    const last = this.#last;
    const min = last ? String(last.createdAtMs) : scoreText(this.range.min);
    const max = Number.isFinite(this.range.maxExclusive) ? `(${this.range.maxExclusive}` : "+inf";
    const flat: string[] = await this.client.zrangebyscore(
      this.key,
      min,
      max,
      "WITHSCORES",
      "LIMIT",
      this.#skip,
      this.pageSize,
    );
    const read: IndexMember[] = [];
    for (let i = 0; i < flat.length; i += 2) read.push({ uuid: flat[i]!, createdAtMs: Number(flat[i + 1]) });
    this.#done = read.length < this.pageSize;
    const tail = read.at(-1);
    if (!tail) return { members: [], last: true };
    const members = last ? read.filter((m) => m.createdAtMs > last.createdAtMs || m.uuid > last.uuid) : read;
    if (last && tail.createdAtMs === last.createdAtMs) this.#skip += read.length;
    else this.#skip = members.filter((m) => m.createdAtMs === tail.createdAtMs).length;
    this.#last = tail;
    return { members, last: this.#done };
  }

  /** Members of the last page that were removed from the set: the offset into the run shrinks by them. */
  removed(uuids: ReadonlySet<string>, page: readonly IndexMember[]): void {
    const tailMs = this.#last?.createdAtMs;
    this.#skip -= page.filter((m) => uuids.has(m.uuid) && m.createdAtMs === tailMs).length;
  }
}

function scoreText(value: number): string {
  return Number.isFinite(value) ? String(value) : "-inf";
}
