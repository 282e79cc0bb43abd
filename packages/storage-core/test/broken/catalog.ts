/**
 * Every deliberately broken adapter, the promise it breaks, and the suite tests (by "group > title")
 * that must fail for it. ../broken-adapters.test.ts runs the suite against each (through the
 * fixtures/part-*.suite.ts files) and checks that those tests, and no fewer, fail.
 */
import type { ConformanceOptions } from "../../src/conformance/index.js";
import { DEFAULT_LIMITS } from "../../src/document.js";
import { UnavailableError } from "../../src/errors.js";
import * as broken from "./adapters.js";
import {
  LimitedReferenceAdapter,
  ReferenceAdapter,
  referenceHooks,
  SmallBatchReferenceAdapter,
} from "./reference-adapter.js";

export interface BrokenFixture {
  /** The promise it breaks, in a few words. */
  breaks: string;
  options: ConformanceOptions;
  /** Tests ("group > title") that must fail. */
  mustFail: string[];
  /** Tests that must still pass: the gap a weaker test leaves. */
  mustPass?: string[];
  /** Text every failure of `mustFail[0]` must contain: the hint the author reads. */
  message?: string;
}

/**
 * The 64 MB refusal is core's own check (no adapter is called): the control runs it, the broken
 * adapters skip it, since building 64 MB per suite was half of this file's time.
 */
const CHEAP = {
  propertyRuns: 5,
  largeDocumentBytes: 64 * 1024,
  skip: {
    [`a 64 MB document is rejected with VALIDATION (limit ${DEFAULT_LIMITS.maxDocumentBytes} bytes), nothing written`]:
      "core's own check: the reference run covers it",
  },
};

/** Options for a reference-based adapter: the failure and resource hooks, cheap sizes. */
function with_(
  create: ConformanceOptions["create"],
  extra: Partial<ConformanceOptions> = {},
): ConformanceOptions {
  return { create, ...referenceHooks, ...CHEAP, ...extra };
}

const collation = (name: keyof typeof broken.COLLATIONS) => () =>
  new broken.CollationAdapter(broken.COLLATIONS[name]!);

const traps = (field: string) =>
  `search semantics > ${field}: collation traps answer as core's reference matcher`;

export const BROKEN: Record<string, BrokenFixture> = {
  "undefined-for-missing": {
    breaks: "get answers undefined for a missing uuid",
    options: with_(() => new broken.UndefinedForMissingAdapter()),
    mustFail: ["basics > get of a missing uuid resolves to null"],
  },
  "append-instead-of-upsert": {
    breaks: "save appends instead of replacing",
    options: with_(() => new broken.AppendingAdapter()),
    mustFail: [
      "upsert and copies > saving the same uuid again replaces the document, not merges it",
      "upsert and copies > an upsert leaves one document: search finds it once",
    ],
  },
  "returns-by-reference": {
    breaks: "get hands out the stored object",
    options: with_(() => new broken.ByReferenceAdapter()),
    mustFail: [
      "upsert and copies > mutating a document returned by get changes nothing stored",
      "basics > two reads return distinct objects",
    ],
  },
  "ignores-close": {
    breaks: "a VconStorage whose close does nothing",
    options: { create: () => broken.ignoresCloseStorage(), ...CHEAP },
    mustFail: [
      "close > every operation after close rejects with CLOSED",
      "close > close resolves, a second close resolves too, and closed is true",
    ],
  },
  "search-over-matching": {
    breaks: "tel matches as a substring",
    options: with_(() => new broken.OverMatchingSearchAdapter()),
    mustFail: ["search > tel matches exactly: no prefix, suffix or substring matches"],
  },
  "pagination-skips": {
    breaks: "pages by created_at alone",
    options: with_(() => new broken.SkippingPaginationAdapter()),
    mustFail: ["search > pagination never skips or repeats, including across equal created_at"],
  },
  "save-many-not-atomic": {
    breaks: "saveMany writes one by one, failing midway",
    options: with_(() => new broken.NonAtomicSaveManyAdapter()),
    mustFail: ["saveMany > a chunk lands whole or not at all when a write fails mid-chunk"],
  },
  "like-wildcards": {
    breaks: "unescaped LIKE in name filters",
    options: with_(() => new broken.LikeWildcardSearchAdapter()),
    mustFail: ["search > SQL, LIKE, regex and JSON path syntax in values is matched literally"],
  },
  "unordered-export": {
    breaks: "export in insertion order",
    options: with_(() => new broken.UnorderedExportAdapter()),
    mustFail: ["export > exports every document of a time range, whole, in (created_at, uuid) order"],
  },
  "fake-delete": {
    breaks: "delete says true and keeps the document",
    options: with_(() => new broken.FakeDeleteAdapter()),
    mustFail: ["delete > delete removes the document: get then resolves to null"],
  },
  "drops-unknown-fields": {
    breaks: "get drops fields it does not know",
    options: with_(() => new broken.DropsUnknownFieldsAdapter()),
    mustFail: ["basics > keeps unknown fields at every level"],
  },
  "row-by-row-commit": {
    breaks: "saveMany prepares the whole chunk, then commits row by row",
    options: with_(() => new broken.RowByRowCommitAdapter()),
    mustFail: [
      "backend failures > a chunk lands whole or not at all when the backend refuses a write mid-chunk",
    ],
    // The input-side injection alone cannot see this one: the reason for the failWrites hook.
    mustPass: ["saveMany > a chunk lands whole or not at all when a write fails mid-chunk"],
    message: "ONE transaction",
  },
  "swallows-save-errors": {
    breaks: "save catches the backend's error and resolves",
    options: with_(() => new broken.SwallowsSaveErrorsAdapter()),
    mustFail: [
      "backend failures > save rejects when the backend refuses the write; a refused update keeps the stored version",
      "backend failures > the adapter's own save rejects when the backend refuses the write",
    ],
    message: "acknowledged",
  },
  "swallows-save-many-errors": {
    breaks: "saveMany catches the backend's error and resolves",
    options: with_(() => new broken.SwallowsSaveManyErrorsAdapter()),
    mustFail: [
      "backend failures > the adapter's own saveMany rejects when the backend refuses a write",
      "backend failures > a chunk lands whole or not at all when the backend refuses a write mid-chunk",
    ],
  },
  "delete-then-insert": {
    breaks: "an update deletes the old row before inserting, outside a transaction",
    options: with_(() => new broken.DeleteThenInsertAdapter()),
    mustFail: [
      "backend failures > save rejects when the backend refuses the write; a refused update keeps the stored version",
    ],
    message: "never delete first",
  },
  "stale-side-rows": {
    breaks: "updates add search rows and never remove the old ones",
    options: with_(() => new broken.StaleSideRowsAdapter()),
    mustFail: [
      "search > an update (save) that removes a tel, mailto, name or subject stops finding the document",
      "search > an update (saveMany) that removes a tel, mailto, name or subject stops finding the document",
    ],
    message: "side-table rows",
  },
  "stale-side-rows-in-save-many": {
    breaks: "only the bulk path leaves stale search rows",
    options: with_(() => new broken.StaleSideRowsInSaveManyAdapter()),
    mustFail: [
      "search > an update (saveMany) that removes a tel, mailto, name or subject stops finding the document",
    ],
    mustPass: [
      "search > an update (save) that removes a tel, mailto, name or subject stops finding the document",
    ],
  },
  "pad-space-collation": {
    breaks: "trailing spaces do not count (PAD SPACE)",
    options: with_(collation("pad-space")),
    mustFail: [traps("tel"), traps("mailto")],
    message: "PAD SPACE",
  },
  "lone-surrogates-to-fffd": {
    breaks: "search columns turn lone surrogates into U+FFFD",
    options: with_(collation("lone-surrogates-to-fffd")),
    mustFail: [traps("tel"), traps("name"), traps("subject")],
    message: "U+FFFD",
  },
  "dotted-i-folding": {
    breaks: "İ and ı fold to i",
    options: with_(collation("dotted-i-folding")),
    mustFail: [traps("name"), traps("mailto")],
  },
  "sharp-s-folding": {
    breaks: "ß equals ss",
    options: with_(collation("sharp-s-folding")),
    mustFail: [traps("name"), traps("subject")],
  },
  "upper-case-comparison": {
    breaks: "case-insensitive by UPPER(): final sigma, ß",
    options: with_(collation("upper-case-comparison")),
    mustFail: [traps("name"), traps("subject")],
    message: "final sigma",
  },
  "accent-insensitive": {
    breaks: "accents are folded away",
    options: with_(collation("accent-insensitive")),
    mustFail: [traps("name"), traps("mailto"), traps("subject")],
  },
  "nfc-normalising": {
    breaks: "values are normalised to NFC",
    options: with_(collation("nfc-normalising")),
    mustFail: [traps("name"), traps("tel")],
  },
  "width-folding": {
    breaks: "full-width letters fold to ASCII (NFKC)",
    options: with_(collation("width-folding")),
    mustFail: [traps("name"), traps("tel"), traps("mailto")],
  },
  "case-insensitive-tel": {
    breaks: "tel compares without case",
    options: with_(collation("case-insensitive-tel")),
    mustFail: [traps("tel")],
  },
  "case-sensitive-mailto": {
    breaks: "mailto compares with case",
    options: with_(collation("case-sensitive-mailto")),
    mustFail: ["search > mailto matches exactly, ignoring case", traps("mailto")],
  },
  "trims-values": {
    breaks: "values and filters are trimmed",
    options: with_(collation("trims-values"), { propertyRuns: 200 }),
    mustFail: [
      "search semantics > generated near misses match exactly when core's reference matcher says so",
    ],
  },
  "first-party-name": {
    breaks: "name looks at the first party only",
    options: with_(() => new broken.FirstPartyNameAdapter()),
    mustFail: ["search > name matches a case-insensitive substring of any party's name"],
  },
  "or-filters": {
    breaks: "filters combine with OR",
    options: with_(() => new broken.OrFiltersAdapter()),
    mustFail: ["search > filters combine with AND, across the same or different parties"],
  },
  "signed-not-indexed": {
    breaks: "a signed vCon's payload is not indexed",
    options: with_(() => new broken.SignedNotIndexedAdapter()),
    mustFail: ["search > signed vCons are found by their payload's parties"],
  },
  "inclusive-until": {
    breaks: "until is inclusive",
    options: with_(() => new broken.InclusiveUntilAdapter()),
    mustFail: [
      "search > since is inclusive and until exclusive",
      "export > since is inclusive and until exclusive",
    ],
  },
  "needs-a-filter": {
    breaks: "a search with only since/until, or none, returns nothing",
    options: with_(() => new broken.NeedsAFilterAdapter()),
    mustFail: [
      "search > a search with only since and until returns the documents of that range",
      "search > a search without any filter returns stored documents, in order, page by page",
    ],
  },
  "undated-not-searched": {
    breaks: "search drops vCons without created_at",
    options: with_(() => new broken.UndatedNotSearchedAdapter()),
    mustFail: ["search > a vCon without created_at is still found"],
  },
  "sorts-keys": {
    breaks: "keys come back sorted (MySQL JSON)",
    options: with_(() => new broken.SortsKeysAdapter()),
    mustFail: ["text fidelity > a saved object reads back with the same key order"],
    message: "another order",
  },
  "re-encodes-json": {
    breaks: "JSON is re-encoded: -0 becomes 0",
    options: with_(() => new broken.ReencodesJsonAdapter()),
    mustFail: [
      "text fidelity > JSON text with -0, 1.0, 1e2, big integers and escapes reads back as JSON.parse of that text",
    ],
    message: "-0",
  },
  "strips-nul": {
    breaks: "\\u0000 is dropped quietly",
    options: with_(() => new broken.StripsNulAdapter()),
    mustFail: ["hostile input > \\u0000 in values and keys: stored identically or rejected"],
  },
  "utf8-round-trip": {
    breaks: "raw lone surrogates come back as U+FFFD",
    options: with_(() => new broken.Utf8RoundTripAdapter()),
    mustFail: ["hostile input > lone surrogates: stored identically or rejected"],
  },
  "save-resets-created-at": {
    breaks: "save without created_at resets the sort time",
    options: with_(() => new broken.SaveResetsCreatedAtAdapter()),
    mustFail: ["upsert and copies > an update without created_at keeps the stored sort time"],
  },
  "save-many-resets-created-at": {
    breaks: "saveMany without created_at resets the sort time",
    options: with_(() => new broken.SaveManyResetsCreatedAtAdapter()),
    mustFail: ["saveMany > an update without created_at keeps the stored sort time"],
    mustPass: ["upsert and copies > an update without created_at keeps the stored sort time"],
  },
  "local-time-dates": {
    breaks: "offset-less created_at is read as local time",
    options: with_(() => new broken.LocalTimeDatesAdapter()),
    mustFail: [
      "dates without an offset > created_at without an offset is UTC for order and time windows (process in America/New_York)",
    ],
    message: "UTC",
  },
  "exists-by-document-uuid": {
    breaks: "exists reads the document's top-level uuid",
    options: with_(() => new broken.ExistsByDocumentUuidAdapter()),
    mustFail: ["exists > exists is true for signed (JWS) and encrypted (JWE) vCons"],
  },
  "export-needs-range": {
    breaks: "export() without a range yields nothing",
    options: with_(() => new broken.ExportNeedsRangeAdapter()),
    mustFail: [
      "export > export with no range yields every document once, including those stored without created_at",
    ],
  },
  "export-skips-undated": {
    breaks: "export leaves out vCons without created_at",
    options: with_(() => new broken.ExportSkipsUndatedAdapter()),
    mustFail: [
      "export > export with no range yields every document once, including those stored without created_at",
      "export > a vCon without created_at is exported at the time it was first stored, and stays there",
    ],
  },
  "offset-paged-export": {
    breaks: "export pages by OFFSET over live data",
    options: with_(() => new broken.OffsetPagedExportAdapter()),
    mustFail: [
      "export > every document present when an export starts and not deleted during it is yielded once, while others change",
    ],
    message: "OFFSET",
  },
  "ignores-abort": {
    breaks: "export never looks at its signal",
    options: with_(() => new broken.IgnoresAbortAdapter()),
    mustFail: [
      "export > the adapter's export ends promptly when its signal is already aborted",
      "export > the adapter's export ends promptly when aborted while it waits on I/O",
    ],
    message: "signal",
  },
  "slow-after-abort": {
    breaks: "once aborted, export still waits out its round trip",
    options: with_(() => new broken.SlowAfterAbortAdapter()),
    mustFail: ["export > the adapter's export ends promptly when aborted while it waits on I/O"],
    message: "did not end within",
  },
  "leaks-timer": {
    breaks: "close leaves a timer running",
    options: with_(() => new broken.LeaksTimerAdapter()),
    mustFail: ["close > close releases this process's handles: sockets, timers, files"],
    message: "Timeout",
  },
  "leaks-connection": {
    breaks: "close keeps its backend connection",
    options: with_(() => new broken.LeaksConnectionAdapter()),
    mustFail: ["close > close releases the backend's resources (openResources hook)"],
  },
  "reconnects-after-close": {
    breaks: "a call after close reconnects",
    options: with_(() => new broken.ReconnectsAfterCloseAdapter()),
    mustFail: ["close > calls on a closed adapter settle and reopen nothing"],
    message: "reconnect",
  },
  "hangs-after-close": {
    breaks: "calls after close wait forever",
    options: with_(() => new broken.HangsAfterCloseAdapter()),
    mustFail: ["close > calls on a closed adapter settle and reopen nothing"],
    message: "did not settle",
  },
  "create-hangs": {
    breaks: "create() never resolves",
    options: { create: () => new Promise(() => {}), probeTimeoutMs: 200, propertyRuns: 5 },
    mustFail: [
      "basics > get of a missing uuid resolves to null",
      "close > close waits for the saves in flight, which succeed",
    ],
    message: "create() did not resolve within 0.2 s",
  },
  "create-rejects": {
    breaks: "create() rejects (a backend that is down)",
    options: {
      create: () => Promise.reject(new UnavailableError("backend down (test)")),
      propertyRuns: 5,
    },
    mustFail: [
      "basics > get of a missing uuid resolves to null",
      "export > export with no range yields every document once, including those stored without created_at",
    ],
    message: "create() failed in the capability probe: UnavailableError: backend down (test)",
  },
  "overstates-limit": {
    breaks: "declares a maxDocumentBytes its backend cannot hold",
    options: with_(() => new broken.OverstatesLimitAdapter()),
    mustFail: [
      "unicode and large documents > a document of exactly the declared maxDocumentBytes round-trips",
    ],
    mustPass: [
      "unicode and large documents > a document one byte over the declared maxDocumentBytes is refused with VALIDATION, nothing written",
    ],
  },
  "lost-updates": {
    breaks: "read-modify-write of the whole table loses concurrent saves",
    options: with_(() => new broken.LostUpdatesAdapter()),
    mustFail: ["concurrency > concurrent saves of different uuids all land"],
  },
  "joins-text-pieces": {
    breaks: "text pieces joined into one",
    options: with_(() => new broken.JoinsTextPiecesAdapter()),
    mustFail: ["text and tag search > a text match never spans two pieces of text"],
  },
  "stale-text": {
    breaks: "old text kept on update",
    options: with_(() => new broken.StaleTextAdapter()),
    mustFail: ["text and tag search > text removed by an update no longer matches, and new text does"],
  },
  "accentless-text": {
    breaks: "text search strips accents",
    options: with_(() => new broken.AccentlessTextAdapter()),
    mustFail: [
      "text and tag search > text compares code units after JS toLowerCase: no normalisation, accent or full case folding, no padding",
    ],
  },
  "change-log-written-text": {
    breaks: "a change carries the text its write stored, not the uuid's state when read",
    options: with_(() => new broken.WrittenTextChangesAdapter()),
    mustFail: [
      "changes > a change carries the uuid's state when read: the latest document, or null once deleted",
    ],
    mustPass: [
      "changes > each save, saveMany and delete records one change per uuid it wrote, in write order",
    ],
    message: "when it is READ",
  },
  "change-log-read-consumes": {
    breaks: "readChanges consumes what it returns",
    options: with_(() => new broken.ConsumingReadAdapter()),
    mustFail: ["changes > reading does not consume, and readChanges(limit) returns the lowest ids first"],
    message: "a second read returns the same changes",
  },
  "change-log-acknowledge-forgets-all": {
    breaks: "acknowledging some changes forgets them all",
    options: with_(() => new broken.AcknowledgeForgetsAllAdapter()),
    mustFail: [
      "changes > acknowledging some changes leaves exactly the others; pendingChanges counts them",
      "changes > acknowledging unknown, repeated or already acknowledged ids is harmless",
    ],
    message: "exactly the changes not acknowledged remain",
  },
  "change-log-save-many-first-only": {
    breaks: "saveMany records only its first uuid",
    options: with_(() => new broken.SaveManyRecordsFirstAdapter()),
    mustFail: [
      "changes > each save, saveMany and delete records one change per uuid it wrote, in write order",
    ],
    message: "one change per uuid per committed write",
  },
  "change-log-off-keeps-changes": {
    breaks: "recordChanges(false) keeps the unacknowledged changes",
    options: with_(() => new broken.OffKeepsChangesAdapter()),
    mustFail: [
      "changes > recordChanges(false) forgets what is pending and records nothing until turned on again",
    ],
    message: "forgets every unacknowledged change",
  },
  "change-log-records-before-the-write": {
    breaks: "the change is recorded before, not with, the write: a failed write leaves one",
    options: with_(() => new broken.RecordsBeforeTheWriteAdapter()),
    mustFail: [
      "changes > a write the backend refuses records no change",
      "changes > a saveMany chunk the backend refuses records none of its uuids",
      "changes > the adapter's own saveMany that fails mid-chunk records none of its uuids",
    ],
    message: "in the write's own transaction",
  },
  "change-log-pending-id-span": {
    breaks: "pendingChanges counts max(id) - min(id) + 1",
    options: with_(() => new broken.IdSpanPendingAdapter()),
    mustFail: ["changes > acknowledging some changes leaves exactly the others; pendingChanges counts them"],
    mustPass: ["changes > reading does not consume, and readChanges(limit) returns the lowest ids first"],
    message: "pendingChanges counts what is left",
  },
  "change-log-racy-ids": {
    breaks: "change ids picked before a round trip: concurrent writes overwrite each other's change",
    options: with_(() => new broken.RacyChangeIdsAdapter()),
    mustFail: ["changes > 64 concurrent saves of different uuids record exactly 64 changes"],
    mustPass: ["changes > reading does not consume, and readChanges(limit) returns the lowest ids first"],
    message: "none lost",
  },
  "change-log-record-resets": {
    breaks: "recordChanges(true) starts a fresh log even when already on",
    options: with_(() => new broken.RecordResetsLogAdapter()),
    mustFail: [
      "changes > recordChanges(true) when already on keeps what is pending and records each write once",
    ],
    message: "neither forget pending changes",
  },
  "change-log-strict-acknowledge": {
    breaks: "acknowledgeChanges throws on an id it never handed out",
    options: with_(() => new broken.StrictAcknowledgeAdapter()),
    mustFail: ["changes > acknowledging unknown, repeated or already acknowledged ids is harmless"],
    mustPass: ["changes > acknowledging some changes leaves exactly the others; pendingChanges counts them"],
  },
  "change-log-newest-first": {
    breaks: "readChanges returns the newest changes first",
    options: with_(() => new broken.NewestFirstChangesAdapter()),
    mustFail: [
      "changes > each save, saveMany and delete records one change per uuid it wrote, in write order",
      "changes > reading does not consume, and readChanges(limit) returns the lowest ids first",
    ],
  },
  "change-claim-anyone": {
    breaks: "claimChanges grants every caller: two consumers split the change log",
    options: with_(() => new broken.AnyoneClaimsAdapter()),
    mustFail: [
      "change claims > the first consumer takes the claim; another is told who holds it and takes nothing",
    ],
    mustPass: ["change claims > recordChanges(false) releases the claim"],
    message: "not handed over",
  },
  "change-claim-no-take-over": {
    breaks: "claimChanges ignores takeOver",
    options: with_(() => new broken.IgnoresTakeOverAdapter()),
    mustFail: ["change claims > takeOver moves the claim; the former holder is then told the new one"],
    mustPass: [
      "change claims > the first consumer takes the claim; another is told who holds it and takes nothing",
    ],
  },
  "change-claim-kept-when-off": {
    breaks: "recordChanges(false) keeps the claim",
    options: with_(() => new broken.OffKeepsClaimAdapter()),
    mustFail: ["change claims > recordChanges(false) releases the claim"],
    message: "releases its claim",
  },
  "change-claim-stale-renewal": {
    breaks: "the holder's renewal does not move claimedMs forward",
    options: with_(() => new broken.StaleRenewalAdapter()),
    mustFail: [
      "change claims > the holder's claim is renewed each time it claims (claimedMs does not go back)",
    ],
    mustPass: [
      "change claims > the first consumer takes the claim; another is told who holds it and takes nothing",
    ],
  },
};

/** The correct adapter with the same options: the control. */
export const REFERENCE_OPTIONS: ConformanceOptions = {
  create: () => new ReferenceAdapter(),
  ...referenceHooks,
  propertyRuns: 5,
  largeDocumentBytes: 64 * 1024,
};

/** Controls for the limits: correct adapters that declare maxDocumentBytes, or a small maxBatchSize. */
export const LIMITED_REFERENCE_OPTIONS: Record<string, ConformanceOptions> = {
  "reference with maxDocumentBytes": with_(() => new LimitedReferenceAdapter()),
  "reference with maxBatchSize 2": with_(() => new SmallBatchReferenceAdapter(2)),
  "reference with maxBatchSize 1": with_(() => new SmallBatchReferenceAdapter(1)),
};

/** The fixture names of part `index` of `parts`, so the parts run side by side. */
export function part(index: number, parts: number): string[] {
  return Object.keys(BROKEN).filter((_, position) => position % parts === index);
}
