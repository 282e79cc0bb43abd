import { hostname } from "node:os";
import type { ChangeClaim, VconStorage } from "@vcon/storage-core";
import type { Journal } from "./journal.js";

/**
 * How long after renewing its claim this process may deliver without renewing it again. Shorter than
 * TAKE_OVER_AFTER_MS: a process cut off from the primary stops delivering before another may take
 * the change log over, so two journals never deliver at once.
 */
export const CLAIM_FRESH_MS = 10_000;
/** A holder that has not renewed its claim for this long may be taken over (`replication take-over`). */
export const TAKE_OVER_AFTER_MS = 30_000;
/** The most core accepts as a consumer name. */
const MAX_NAME = 200;
const JOURNAL_ID = /^journal ([0-9a-f-]{36})(?: |$)/;

/**
 * The name this journal claims the primary's change log under: its id (what identifies it), then where
 * it lives, for the operator who reads it in another service's status.
 */
export function consumerName(journal: Journal): string {
  return `journal ${journal.id} on ${hostname()}:${journal.file}`.slice(0, MAX_NAME);
}

/**
 * Whether the claim is this journal's, under whichever name it claimed it (its host renamed since, its
 * file reached by another path): the id in the name is what identifies a journal.
 */
export function heldBy(journal: Journal, claim: ChangeClaim): boolean {
  return JOURNAL_ID.exec(claim.holder)?.[1] === journal.id;
}

/** A claim held by another journal, as status and errors say it. */
export function describeForeignClaim(claim: ChangeClaim): string {
  return `the primary's change log is fed by another journal (${claim.holder}, last claimed ${new Date(claim.claimedMs).toISOString()}): this service's writes are recorded there and replicated by that service; this one neither feeds nor delivers. Stop one of the two services, or, once that one is gone for good, run \`vcon-server replication take-over\` here`;
}

/**
 * This journal's claim on the primary's change log. Acknowledging a change forgets it, so two journals
 * feeding from one change log would split it between them and diverge: only the holder feeds and
 * delivers. A primary without claims (an adapter that does not declare `claimChanges`) leaves every
 * journal free, as before claims existed.
 */
export class FeedClaim {
  readonly #primary: VconStorage;
  readonly #journal: Journal;
  readonly #name: string;
  readonly #supported: boolean;
  /** Local time of the last renewal that found this journal holding the claim. */
  #renewedAt = Number.NEGATIVE_INFINITY;
  #foreign: ChangeClaim | null = null;

  constructor(primary: VconStorage, journal: Journal) {
    this.#primary = primary;
    this.#journal = journal;
    this.#name = consumerName(journal);
    this.#supported = primary.supports("claimChanges");
  }

  /** The claim another journal holds, as of the last renewal; null while this one holds it. */
  get foreign(): ChangeClaim | null {
    return this.#foreign;
  }

  /**
   * Takes or renews the claim; true when this journal holds it. The same journal under another name
   * (its host renamed, its file reached by another path) takes it back: it is the same journal.
   */
  async renew(): Promise<boolean> {
    if (!this.#supported) return true;
    const asked = Date.now();
    let claim = await this.#primary.claimChanges!(this.#name);
    if (claim.holder !== this.#name && heldBy(this.#journal, claim)) {
      claim = await this.#primary.claimChanges!(this.#name, { takeOver: true });
    }
    if (claim.holder !== this.#name) {
      this.#foreign = claim;
      this.#renewedAt = Number.NEGATIVE_INFINITY;
      return false;
    }
    this.#foreign = null;
    this.#renewedAt = asked;
    return true;
  }

  /** Whether this journal's entries may be delivered now: it held the claim at a recent renewal. */
  mayDeliver(now = Date.now()): boolean {
    return !this.#supported || now - this.#renewedAt <= CLAIM_FRESH_MS;
  }
}
