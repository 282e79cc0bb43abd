import type { ScriptedClient } from "../scripts/commands.js";

/** An entry of a created_at index: a uuid and its score. */
export interface IndexMember {
  uuid: string;
  createdAtMs: number;
}

/** Where a scan starts and ends: strictly after `after` (or from `min`, inclusive), below `maxExclusive`. */
export interface ScoreRange {
  after: IndexMember | null;
  min: number;
  maxExclusive: number;
}

export interface IndexPage {
  /** Members in (score, uuid) order. */
  members: IndexMember[];
  /** The last page: nothing follows it. */
  last: boolean;
}

/**
 * Reads one created_at sorted set page by page in (score, member) order, each page strictly after the
 * last member read (keyset paging in a script: scripts/lua.ts). A member present for the whole scan is
 * returned exactly once, whatever else is inserted, updated or removed meanwhile, and a page costs
 * O(log² n) however far the scan is.
 */
export class IndexPages {
  #after: IndexMember | null;
  #done = false;

  constructor(
    readonly client: ScriptedClient,
    readonly key: string,
    readonly range: ScoreRange,
    readonly pageSize: number,
  ) {
    this.#after = range.after;
  }

  /** The next page, or null after the last one. */
  async next(): Promise<IndexPage | null> {
    if (this.#done) return null;
    const { min, maxExclusive } = this.range;
    const after = this.#after;
    const flat = await this.client.vconStoragePage(
      1,
      this.key,
      after ? String(after.createdAtMs) : "",
      after?.uuid ?? "",
      Number.isFinite(min) ? String(min) : "-inf",
      Number.isFinite(maxExclusive) ? `(${maxExclusive}` : "+inf",
      this.pageSize,
    );
    const members: IndexMember[] = [];
    for (let i = 0; i < flat.length; i += 2)
      members.push({ uuid: flat[i]!, createdAtMs: Number(flat[i + 1]) });
    this.#done = members.length < this.pageSize;
    this.#after = members.at(-1) ?? after;
    return { members, last: this.#done };
  }
}
