/** Deliberately broken adapters: the conformance suite must fail each of them. */
import { setTimeout as sleep } from "node:timers/promises";
import {
  type ChangeBacklog,
  type ChangeClaim,
  compareRecords,
  cursorOf,
  matchesQuery,
  type NormalizedExportOptions,
  type NormalizedSearchQuery,
  type PreparedVcon,
  type SearchPage,
  type StorageChange,
  type VconDocument,
} from "../../src/adapter-kit.js";
import { fromAdapter, type VconStorage } from "../../src/index.js";
import {
  backendConnections,
  type ChangeEntry,
  ReferenceAdapter,
  type StoredRecord,
} from "./reference-adapter.js";

/** Answers `undefined` instead of `null` for a missing uuid. */
export class UndefinedForMissingAdapter extends ReferenceAdapter {
  override async get(uuid: string): Promise<VconDocument | null> {
    return (await super.get(uuid)) ?? (undefined as unknown as null);
  }
}

/** Appends a new record on every save instead of replacing the stored one. */
export class AppendingAdapter extends ReferenceAdapter {
  #log: StoredRecord[] = [];

  override async save(vcon: PreparedVcon): Promise<void> {
    this.#log.push(this.toRecord(vcon));
    if (!this.records.has(vcon.uuid)) this.records.set(vcon.uuid, this.#log.at(-1)!);
  }

  override async search(query: NormalizedSearchQuery): Promise<SearchPage> {
    const matches = this.#log.filter((record) => matchesQuery(record, query)).sort(compareRecords);
    return { items: matches.slice(0, query.limit).map((r) => JSON.parse(r.json)), nextCursor: null };
  }
}

/** Keeps parsed objects and hands out the stored object itself. */
export class ByReferenceAdapter extends ReferenceAdapter {
  #objects = new Map<string, VconDocument>();

  override async save(vcon: PreparedVcon): Promise<void> {
    await super.save(vcon);
    this.#objects.set(vcon.uuid, JSON.parse(vcon.json));
  }

  override async get(uuid: string): Promise<VconDocument | null> {
    return this.#objects.get(uuid) ?? null;
  }
}

/** Matches `tel` as a substring, as a careless `LIKE '%' || $1 || '%'` would. */
export class OverMatchingSearchAdapter extends ReferenceAdapter {
  override async search(query: NormalizedSearchQuery): Promise<SearchPage> {
    const { tel, ...rest } = query;
    const matches = this.matching(rest).filter(
      (record) => tel === undefined || record.parties.some((party) => party.tel?.includes(tel)),
    );
    const page = matches.slice(0, query.limit);
    return {
      items: page.map((r) => JSON.parse(r.json)),
      nextCursor: matches.length > query.limit ? cursorOf(page.at(-1)!) : null,
    };
  }
}

/** Pages by created_at alone, so documents sharing a created_at are skipped at page boundaries. */
export class SkippingPaginationAdapter extends ReferenceAdapter {
  override async search(query: NormalizedSearchQuery): Promise<SearchPage> {
    const { after, ...rest } = query;
    const afterMs = after ? Date.parse(after.createdAt) : Number.NEGATIVE_INFINITY;
    const matches = this.matching(rest).filter((record) => record.createdAtMs > afterMs);
    const page = matches.slice(0, query.limit);
    return {
      items: page.map((r) => JSON.parse(r.json)),
      nextCursor: matches.length > query.limit ? cursorOf(page.at(-1)!) : null,
    };
  }
}

/** Writes a batch one document at a time: a failure mid-chunk leaves the first ones stored. */
export class NonAtomicSaveManyAdapter extends ReferenceAdapter {
  override async saveMany(chunk: readonly PreparedVcon[]): Promise<void> {
    for (const vcon of chunk) this.records.set(vcon.uuid, this.toRecord(vcon));
  }
}

/** A hand-made VconStorage whose close() does nothing: it keeps working afterwards. */
export function ignoresCloseStorage(): VconStorage {
  const inner = fromAdapter(new ReferenceAdapter());
  return {
    name: inner.name,
    adapter: inner.adapterName ?? inner.adapter,
    capabilities: inner.capabilities,
    closed: false,
    supports: (capability) => inner.supports(capability),
    save: (vcon) => inner.save(vcon),
    get: (uuid) => inner.get(uuid),
    delete: (uuid) => inner.delete(uuid),
    exists: (uuid) => inner.exists(uuid),
    saveMany: (vcons, options) => inner.saveMany(vcons, options),
    search: (query) => inner.search(query),
    export: (options) => inner.export(options),
    recordChanges: (on) => inner.recordChanges!(on),
    readChanges: (limit) => inner.readChanges!(limit),
    acknowledgeChanges: (ids) => inner.acknowledgeChanges!(ids),
    pendingChanges: () => inner.pendingChanges!(),
    close: async () => {},
  };
}

/** Treats `%` and `_` in name filters as wildcards, as an unescaped SQL `LIKE` does. */
export class LikeWildcardSearchAdapter extends ReferenceAdapter {
  override async search(query: NormalizedSearchQuery): Promise<SearchPage> {
    const { name, ...rest } = query;
    const escaped = (name ?? "")
      .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
      .replaceAll("%", ".*")
      .replaceAll("_", ".");
    const pattern = new RegExp(escaped, "i");
    const matches = this.matching(rest).filter(
      (record) => name === undefined || record.parties.some((party) => pattern.test(party.name ?? "")),
    );
    const page = matches.slice(0, query.limit);
    return {
      items: page.map((r) => JSON.parse(r.json)),
      nextCursor: matches.length > query.limit ? cursorOf(page.at(-1)!) : null,
    };
  }
}

/** Exports in insertion order instead of (created_at, uuid) order. */
export class UnorderedExportAdapter extends ReferenceAdapter {
  override async *export(options: NormalizedExportOptions): AsyncIterable<VconDocument> {
    for (const record of this.records.values()) {
      if (matchesQuery(record, options)) yield JSON.parse(record.json);
    }
  }
}

/** Says it deleted, but keeps the document. */
export class FakeDeleteAdapter extends ReferenceAdapter {
  override async delete(uuid: string): Promise<boolean> {
    return this.records.has(uuid);
  }
}

/** Keeps only the fields it knows, dropping extensions and unknown members. */
export class DropsUnknownFieldsAdapter extends ReferenceAdapter {
  override async get(uuid: string): Promise<VconDocument | null> {
    const document = (await super.get(uuid)) as Record<string, unknown> | null;
    if (document === null) return null;
    const known = ["uuid", "vcon", "created_at", "subject", "parties", "dialog", "analysis", "attachments"];
    return Object.fromEntries(
      Object.entries(document).filter(([key]) => known.includes(key)),
    ) as VconDocument;
  }
}

/** A search page of already-matched records, as the reference pages them. */
function pageOf(matches: StoredRecord[], limit: number): SearchPage {
  const page = matches.slice(0, limit);
  return {
    items: page.map((r) => JSON.parse(r.json)),
    nextCursor: matches.length > limit ? cursorOf(page.at(-1)!) : null,
  };
}

/** The query without its party and subject filters (time, cursor, text and tags stay). */
function withoutPartyFilters<T extends Partial<NormalizedSearchQuery>>(query: T) {
  const { tel: _tel, mailto: _mailto, name: _name, subject: _subject, ...rest } = query;
  return rest;
}

// --- backend failures (the failWrites hook) --------------------------------------------------------

/** Prepares the whole chunk first, then commits row by row: a refused row leaves the earlier ones. */
export class RowByRowCommitAdapter extends ReferenceAdapter {
  override async saveMany(chunk: readonly PreparedVcon[]): Promise<void> {
    const records = chunk.map((vcon) => this.toRecord(vcon));
    for (const record of records) this.backend.commit([record]);
  }
}

/** Catches the backend's error in save and resolves: the write is lost but acknowledged. */
export class SwallowsSaveErrorsAdapter extends ReferenceAdapter {
  override async save(vcon: PreparedVcon): Promise<void> {
    try {
      await super.save(vcon);
    } catch {
      // "best effort"
    }
  }
}

/** Catches the backend's error in saveMany and resolves. */
export class SwallowsSaveManyErrorsAdapter extends ReferenceAdapter {
  override async saveMany(chunk: readonly PreparedVcon[]): Promise<void> {
    try {
      await super.saveMany(chunk);
    } catch {
      // "best effort"
    }
  }
}

/** Replaces by deleting the stored row first, then inserting outside any transaction. */
export class DeleteThenInsertAdapter extends ReferenceAdapter {
  override async save(vcon: PreparedVcon): Promise<void> {
    const record = this.toRecord(vcon);
    this.records.delete(vcon.uuid);
    this.backend.commit([record]);
  }
}

// --- stale search rows ------------------------------------------------------------------------------

/** Search keys live in a side table that updates only add to, so removed values still find the vCon. */
export class StaleSideRowsAdapter extends ReferenceAdapter {
  protected history = new Map<string, StoredRecord[]>();
  protected staleOn: ReadonlySet<"save" | "saveMany"> = new Set(["save", "saveMany"]);

  override async save(vcon: PreparedVcon): Promise<void> {
    await super.save(vcon);
    this.remember(vcon.uuid, "save");
  }

  override async saveMany(chunk: readonly PreparedVcon[]): Promise<void> {
    await super.saveMany(chunk);
    for (const vcon of chunk) this.remember(vcon.uuid, "saveMany");
  }

  override async search(query: NormalizedSearchQuery): Promise<SearchPage> {
    const rest = withoutPartyFilters(query);
    const matches = this.matching(rest).filter((record) =>
      (this.history.get(record.uuid) ?? [record]).some((old) =>
        matchesQuery({ ...old, createdAtMs: record.createdAtMs }, query),
      ),
    );
    return pageOf(matches, query.limit);
  }

  private remember(uuid: string, via: "save" | "saveMany"): void {
    const current = this.records.get(uuid)!;
    const kept = this.staleOn.has(via) ? (this.history.get(uuid) ?? []) : [];
    this.history.set(uuid, [...kept, current]);
  }
}

/** Leaves stale side rows only on the saveMany path (a bulk path written separately). */
export class StaleSideRowsInSaveManyAdapter extends StaleSideRowsAdapter {
  protected override staleOn: ReadonlySet<"save" | "saveMany"> = new Set(["saveMany"]);
}

// --- search semantics: collations -------------------------------------------------------------------

interface Folding {
  /** What the tel column compares. */
  tel: (value: string) => string;
  /** What the mailto, name and subject columns compare (the filter is already lower case). */
  text: (value: string) => string;
}

const lower = (value: string) => value.toLowerCase();
const wellFormed = (value: string) => Buffer.from(value, "utf8").toString("utf8");
const stripMarks = (value: string) => value.normalize("NFD").replace(/\p{M}/gu, "");

/** Searches as a database column with a collation that folds values the reference keeps apart. */
export class CollationAdapter extends ReferenceAdapter {
  constructor(private readonly folding: Folding) {
    super();
  }

  protected override matching(query: Parameters<typeof matchesQuery>[1]): StoredRecord[] {
    const { tel, text } = this.folding;
    const has = (value: string | undefined | null, filter: string, mode: "equal" | "contains") =>
      value !== undefined &&
      value !== null &&
      (mode === "equal" ? text(value) === text(filter) : text(value).includes(text(filter)));
    return super.matching(withoutPartyFilters(query)).filter((record) => {
      if (
        query.tel !== undefined &&
        !record.parties.some((p) => p.tel !== undefined && tel(p.tel) === tel(query.tel!))
      )
        return false;
      if (query.mailto !== undefined && !record.parties.some((p) => has(p.mailto, query.mailto!, "equal")))
        return false;
      if (query.name !== undefined && !record.parties.some((p) => has(p.name, query.name!, "contains")))
        return false;
      if (query.subject !== undefined && !has(record.subject, query.subject, "contains")) return false;
      return true;
    });
  }
}

export const COLLATIONS: Record<string, Folding> = {
  /** MySQL's PAD SPACE collations: trailing spaces do not count. */
  "pad-space": { tel: (v) => v.replace(/ +$/, ""), text: (v) => lower(v).replace(/ +$/, "") },
  /** A UTF-8 column fed raw JS strings: lone surrogates become U+FFFD. */
  "lone-surrogates-to-fffd": { tel: wellFormed, text: (v) => lower(wellFormed(v)) },
  /** A collation that folds dotted and dotless I to i. */
  "dotted-i-folding": {
    tel: (v) => v,
    text: (v) => lower(v.replace(/[\u0130\u0131]/g, "i")).replace(/i\u0307/g, "i"),
  },
  /** A collation where ß equals ss. */
  "sharp-s-folding": { tel: (v) => v, text: (v) => lower(v).replace(/\u00df/g, "ss") },
  /** Case-insensitive by UPPER() instead of lower(): ß, final sigma and friends compare differently. */
  "upper-case-comparison": { tel: (v) => v, text: (v) => v.toUpperCase() },
  /** An accent-insensitive collation (utf8mb4_general_ci, unaccent()). */
  "accent-insensitive": { tel: (v) => v, text: (v) => stripMarks(lower(v)) },
  /** Normalises to NFC before comparing. */
  "nfc-normalising": { tel: (v) => v.normalize("NFC"), text: (v) => lower(v).normalize("NFC") },
  /** Folds width and compatibility forms (NFKC). */
  "width-folding": { tel: (v) => v.normalize("NFKC"), text: (v) => lower(v).normalize("NFKC") },
  /** Compares tel case-insensitively (a _ci collation on the tel column). */
  "case-insensitive-tel": { tel: lower, text: lower },
  /** Trims values and filters (a TRIM() in the query, or CHAR columns). */
  "trims-values": { tel: (v) => v.trim(), text: (v) => lower(v).trim() },
  /** Compares mailto case-sensitively (a binary collation on the raw value). */
  "case-sensitive-mailto": { tel: (v) => v, text: (v) => v },
};

/** name checks the first party only, not "any party". */
export class FirstPartyNameAdapter extends ReferenceAdapter {
  override async search(query: NormalizedSearchQuery): Promise<SearchPage> {
    const { name, ...rest } = query;
    const matches = this.matching(rest).filter(
      (record) => name === undefined || (record.parties[0]?.name ?? "").toLowerCase().includes(name),
    );
    return pageOf(matches, query.limit);
  }
}

/** Filters combine with OR instead of AND. */
export class OrFiltersAdapter extends ReferenceAdapter {
  override async search(query: NormalizedSearchQuery): Promise<SearchPage> {
    const rest = withoutPartyFilters(query);
    const filters = (["tel", "mailto", "name", "subject"] as const).filter((key) => query[key] !== undefined);
    const matches = this.matching(rest).filter(
      (record) => filters.length === 0 || filters.some((key) => matchesQuery(record, { [key]: query[key] })),
    );
    return pageOf(matches, query.limit);
  }
}

/** Indexes the top-level parties only: a signed vCon's payload is never read. */
export class SignedNotIndexedAdapter extends ReferenceAdapter {
  protected override toRecord(vcon: PreparedVcon): StoredRecord {
    const record = super.toRecord(vcon);
    return vcon.form === "signed" ? { ...record, parties: [] } : record;
  }
}

/** until is inclusive. */
export class InclusiveUntilAdapter extends ReferenceAdapter {
  protected override matching(query: Parameters<typeof matchesQuery>[1]): StoredRecord[] {
    const until = query.until ? new Date(query.until.getTime() + 1) : undefined;
    return super.matching({ ...query, ...(until ? { until } : {}) });
  }
}

/** Needs a party or subject filter: a time-only (or empty) query returns nothing. */
export class NeedsAFilterAdapter extends ReferenceAdapter {
  override async search(query: NormalizedSearchQuery): Promise<SearchPage> {
    const filters = [query.tel, query.mailto, query.name, query.subject, query.text, query.tags];
    if (filters.every((filter) => filter === undefined)) return { items: [], nextCursor: null };
    return super.search(query);
  }
}

/** Keeps rows without created_at out of search (a NULL sort key that a WHERE drops). */
export class UndatedNotSearchedAdapter extends ReferenceAdapter {
  #undated = new Set<string>();

  override async save(vcon: PreparedVcon): Promise<void> {
    const isNew = !this.records.has(vcon.uuid);
    await super.save(vcon);
    if (isNew && vcon.createdAtMs === null) this.#undated.add(vcon.uuid);
  }

  override async search(query: NormalizedSearchQuery): Promise<SearchPage> {
    return pageOf(
      this.matching(query).filter((record) => !this.#undated.has(record.uuid)),
      query.limit,
    );
  }
}

// --- text fidelity ----------------------------------------------------------------------------------

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
  );
}

/** Stores JSON re-encoded with sorted keys (as MySQL's JSON type does). */
export class SortsKeysAdapter extends ReferenceAdapter {
  protected override toRecord(vcon: PreparedVcon): StoredRecord {
    return { ...super.toRecord(vcon), json: JSON.stringify(sortedKeys(JSON.parse(vcon.json))) };
  }
}

/** Stores JSON re-encoded from the parsed object: -0 becomes 0. */
export class ReencodesJsonAdapter extends ReferenceAdapter {
  protected override toRecord(vcon: PreparedVcon): StoredRecord {
    return { ...super.toRecord(vcon), json: JSON.stringify(JSON.parse(vcon.json)) };
  }
}

/** Drops \u0000 escapes from the text (a database that cannot hold NUL, "sanitised" quietly). */
export class StripsNulAdapter extends ReferenceAdapter {
  protected override toRecord(vcon: PreparedVcon): StoredRecord {
    return { ...super.toRecord(vcon), json: vcon.json.replaceAll("\\u0000", "") };
  }
}

/** Decodes \\uD800-style escapes and stores the text as UTF-8: lone surrogates become U+FFFD. */
export class Utf8RoundTripAdapter extends ReferenceAdapter {
  protected override toRecord(vcon: PreparedVcon): StoredRecord {
    const unescaped = vcon.json.replace(/\\u(d[89a-f][0-9a-f]{2})/gi, (_, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
    return { ...super.toRecord(vcon), json: wellFormed(unescaped) };
  }
}

// --- created_at -------------------------------------------------------------------------------------

/** save without created_at resets the sort time to now. */
export class SaveResetsCreatedAtAdapter extends ReferenceAdapter {
  protected override toRecord(vcon: PreparedVcon): StoredRecord {
    return { ...super.toRecord(vcon), createdAtMs: vcon.createdAtMs ?? Date.now() };
  }
}

/** saveMany (a separate bulk statement) without created_at resets the sort time to now. */
export class SaveManyResetsCreatedAtAdapter extends ReferenceAdapter {
  override async saveMany(chunk: readonly PreparedVcon[]): Promise<void> {
    this.backend.commit(
      chunk.map((vcon) => ({ ...this.toRecord(vcon), createdAtMs: vcon.createdAtMs ?? Date.now() })),
    );
  }
}

/** Parses created_at itself with `new Date(text)`: offset-less text is read as local time. */
export class LocalTimeDatesAdapter extends ReferenceAdapter {
  protected override toRecord(vcon: PreparedVcon): StoredRecord {
    const record = super.toRecord(vcon);
    return vcon.createdAt === null ? record : { ...record, createdAtMs: new Date(vcon.createdAt).getTime() };
  }
}

// --- exists -----------------------------------------------------------------------------------------

/** exists looks for a top-level uuid in the stored document, which signed and encrypted forms lack. */
export class ExistsByDocumentUuidAdapter extends ReferenceAdapter {
  override async exists(uuid: string): Promise<boolean> {
    const record = this.records.get(uuid);
    return record !== undefined && (JSON.parse(record.json) as { uuid?: unknown }).uuid === uuid;
  }
}

// --- export -----------------------------------------------------------------------------------------

/** Without since/until it yields nothing. */
export class ExportNeedsRangeAdapter extends ReferenceAdapter {
  override async *export(options: NormalizedExportOptions): AsyncIterable<VconDocument> {
    if (options.since === undefined && options.until === undefined) return;
    yield* super.export(options);
  }
}

/** Leaves vCons stored without created_at out of export. */
export class ExportSkipsUndatedAdapter extends ReferenceAdapter {
  #undated = new Set<string>();

  override async save(vcon: PreparedVcon): Promise<void> {
    const isNew = !this.records.has(vcon.uuid);
    await super.save(vcon);
    if (isNew && vcon.createdAtMs === null) this.#undated.add(vcon.uuid);
  }

  override async *export(options: NormalizedExportOptions): AsyncIterable<VconDocument> {
    for await (const document of super.export(options)) {
      if (!this.#undated.has(String((document as { uuid?: unknown }).uuid))) yield document;
    }
  }
}

/** Pages the export by OFFSET over the live data: inserts and deletes shift rows across pages. */
export class OffsetPagedExportAdapter extends ReferenceAdapter {
  override async *export(options: NormalizedExportOptions): AsyncIterable<VconDocument> {
    for (let offset = 0; ; offset += options.batchSize) {
      const batch = this.matching(options).slice(offset, offset + options.batchSize);
      if (batch.length === 0) return;
      for (const record of batch) yield JSON.parse(record.json);
    }
  }
}

/** Never looks at its abort signal. */
export class IgnoresAbortAdapter extends ReferenceAdapter {
  override async *export(options: NormalizedExportOptions): AsyncIterable<VconDocument> {
    for (const record of this.matching(options)) yield JSON.parse(record.json);
  }
}

/** Once aborted, it still waits out its slow round trip (6 s) instead of cancelling it. */
export class SlowAfterAbortAdapter extends ReferenceAdapter {
  override async *export(options: NormalizedExportOptions): AsyncIterable<VconDocument> {
    for (const record of this.matching(options)) {
      if (options.signal.aborted) await sleep(6_000, undefined, { ref: false });
      yield JSON.parse(record.json);
    }
  }
}

// --- close ------------------------------------------------------------------------------------------

/** Timers the leaking adapters started, cleared by the fixture file once its suites are done. */
export const leakedTimers = new Set<ReturnType<typeof setInterval>>();

export function releaseLeaks(): void {
  for (const timer of leakedTimers) clearInterval(timer);
  leakedTimers.clear();
}

/** Starts a keep-alive timer and never clears it. */
export class LeaksTimerAdapter extends ReferenceAdapter {
  constructor() {
    super();
    leakedTimers.add(setInterval(() => {}, 60_000));
  }
}

/** Closes without releasing its backend connection. */
export class LeaksConnectionAdapter extends ReferenceAdapter {
  override async close(): Promise<void> {
    await super.close();
    backendConnections.open++;
  }
}

/** After close, a call reconnects (a lazy client): a new timer and a new connection nobody closes. */
export class ReconnectsAfterCloseAdapter extends ReferenceAdapter {
  #reconnected = false;

  protected override assertOpen(): void {
    if (!this.closed || this.#reconnected) return;
    this.#reconnected = true;
    leakedTimers.add(setInterval(() => {}, 60_000));
    backendConnections.open++;
  }
}

/** After close, every call waits for a connection that never comes. */
export class HangsAfterCloseAdapter extends ReferenceAdapter {
  protected override assertOpen(): void {}

  #wait<T>(call: () => Promise<T>): Promise<T> {
    return this.closed ? new Promise<T>(() => {}) : call();
  }

  override save(vcon: PreparedVcon) {
    return this.#wait(() => super.save(vcon));
  }
  override get(uuid: string) {
    return this.#wait(() => super.get(uuid));
  }
  override exists(uuid: string) {
    return this.#wait(() => super.exists(uuid));
  }
  override delete(uuid: string) {
    return this.#wait(() => super.delete(uuid));
  }
  override saveMany(chunk: readonly PreparedVcon[]) {
    return this.#wait(() => super.saveMany(chunk));
  }
  override search(query: NormalizedSearchQuery) {
    return this.#wait(() => super.search(query));
  }
}

// --- limits -----------------------------------------------------------------------------------------

/** Declares 64 KiB, but its backend refuses rows over 60 000 bytes. */
export class OverstatesLimitAdapter extends ReferenceAdapter {
  readonly maxDocumentBytes = 64 * 1024;

  protected override toRecord(vcon: PreparedVcon): StoredRecord {
    if (vcon.bytes > 60_000) throw new Error("backend: row too large");
    return super.toRecord(vcon);
  }
}

// --- concurrency ------------------------------------------------------------------------------------

/** Read-modify-write of the whole table with an await in between: concurrent saves are lost. */
export class LostUpdatesAdapter extends ReferenceAdapter {
  override async save(vcon: PreparedVcon): Promise<void> {
    const copy = new Map(this.records);
    await sleep(1);
    copy.set(vcon.uuid, this.toRecord(vcon));
    this.records.clear();
    for (const [uuid, record] of copy) this.records.set(uuid, record);
  }
}

// --- text search (from the lead's checks of the text and tag group) -------------------------------

/** Joins the text pieces into one, so a match can span two of them. */
export class JoinsTextPiecesAdapter extends ReferenceAdapter {
  protected override toRecord(vcon: PreparedVcon): StoredRecord {
    const record = super.toRecord(vcon);
    return { ...record, text: [(record.text ?? []).join(" ")] };
  }
}

/** Appends the new text to the old on update. */
export class StaleTextAdapter extends ReferenceAdapter {
  protected override toRecord(vcon: PreparedVcon): StoredRecord {
    const record = super.toRecord(vcon);
    const old = this.records.get(vcon.uuid)?.text ?? [];
    return { ...record, text: [...old, ...(record.text ?? [])] };
  }
}

/** Strips accents from text pieces and text filters. */
export class AccentlessTextAdapter extends ReferenceAdapter {
  protected override toRecord(vcon: PreparedVcon): StoredRecord {
    const record = super.toRecord(vcon);
    return { ...record, text: (record.text ?? []).map(stripMarks) };
  }

  protected override matching(query: Parameters<typeof matchesQuery>[1]): StoredRecord[] {
    const text = (query as { text?: string }).text;
    return super.matching(
      text === undefined ? query : ({ ...query, text: stripMarks(text) } as typeof query),
    );
  }
}

// --- the change log ---------------------------------------------------------------------------------

/** Hands out the text each write stored (a trigger copying NEW.json) instead of the uuid's state now. */
export class WrittenTextChangesAdapter extends ReferenceAdapter {
  protected override toChange(id: string, entry: ChangeEntry): StorageChange {
    return { ...super.toChange(id, entry), json: entry.written };
  }
}

/** Reading consumes: the changes it returns are gone (a queue's pop, not a log's read). */
export class ConsumingReadAdapter extends ReferenceAdapter {
  override async readChanges(limit: number): Promise<StorageChange[]> {
    const changes = await super.readChanges(limit);
    for (const change of changes) this.changeLog.delete(change.id);
    return changes;
  }
}

/** Acknowledging any id forgets the whole log (a TRUNCATE where a DELETE ... WHERE id IN belongs). */
export class AcknowledgeForgetsAllAdapter extends ReferenceAdapter {
  override async acknowledgeChanges(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) this.changeLog.clear();
  }
}

/** saveMany records only its first uuid (one change per statement, not per row). */
export class SaveManyRecordsFirstAdapter extends ReferenceAdapter {
  override async saveMany(chunk: readonly PreparedVcon[]): Promise<void> {
    const before = new Set(this.changeLog.keys());
    await super.saveMany(chunk);
    const added = [...this.changeLog.keys()].filter((id) => !before.has(id));
    for (const id of added.slice(1)) this.changeLog.delete(id);
  }
}

/** recordChanges(false) drops the trigger but keeps the unacknowledged changes. */
export class OffKeepsChangesAdapter extends ReferenceAdapter {
  override async recordChanges(on: boolean): Promise<void> {
    this.assertOpen();
    this.backend.recording = on;
  }
}

/** Records the change in a step of its own before the write: a refused write leaves its change. */
export class RecordsBeforeTheWriteAdapter extends ReferenceAdapter {
  override async save(vcon: PreparedVcon): Promise<void> {
    await this.saveMany([vcon]);
  }

  override async saveMany(chunk: readonly PreparedVcon[]): Promise<void> {
    this.assertOpen();
    for (const vcon of chunk) this.backend.logChange(vcon.uuid, null);
    this.backend.commit(
      chunk.map((vcon) => this.toRecord(vcon)),
      { logged: false },
    );
  }
}

/** Counts the backlog as the span of its ids (max - min + 1): acknowledged gaps still count. */
export class IdSpanPendingAdapter extends ReferenceAdapter {
  override async pendingChanges(): Promise<ChangeBacklog> {
    const backlog = await super.pendingChanges();
    const ids = [...this.changeLog.keys()].map(Number);
    return ids.length === 0 ? backlog : { ...backlog, count: Math.max(...ids) - Math.min(...ids) + 1 };
  }
}

/** Takes the next change id before a round trip: concurrent writes overwrite each other's change. */
export class RacyChangeIdsAdapter extends ReferenceAdapter {
  override async save(vcon: PreparedVcon): Promise<void> {
    const { backend } = this;
    const id = backend.nextChangeId;
    await sleep(1);
    backend.commit([this.toRecord(vcon)], { logged: false });
    if (!backend.recording) return;
    backend.changes.set(String(id), { uuid: vcon.uuid, recordedMs: Date.now(), written: vcon.json });
    backend.nextChangeId = id + 1;
  }
}

/** recordChanges(true) starts a fresh log every time (drop and re-create the table), even when on. */
export class RecordResetsLogAdapter extends ReferenceAdapter {
  override async recordChanges(on: boolean): Promise<void> {
    await super.recordChanges(on);
    this.changeLog.clear();
  }
}

/** Parses ids as integers (BigInt) before deleting: an id it never handed out throws. */
export class StrictAcknowledgeAdapter extends ReferenceAdapter {
  override async acknowledgeChanges(ids: readonly string[]): Promise<void> {
    for (const id of ids) BigInt(id);
    await super.acknowledgeChanges(ids);
  }
}

/** Reads the newest changes first (ORDER BY id DESC). */
export class NewestFirstChangesAdapter extends ReferenceAdapter {
  override async readChanges(limit: number): Promise<StorageChange[]> {
    const all = await super.readChanges(Number.MAX_SAFE_INTEGER);
    return all.reverse().slice(0, limit);
  }
}

// --- the change log's claim -------------------------------------------------------------------------

/** Every caller is granted the claim: two consumers would split the change log between them. */
export class AnyoneClaimsAdapter extends ReferenceAdapter {
  override async claimChanges(consumer: string): Promise<ChangeClaim> {
    this.assertOpen();
    this.backend.claim = { holder: consumer, claimedMs: Date.now() };
    return { ...this.backend.claim };
  }
}

/** takeOver is ignored: a consumer that is gone for good can never be replaced. */
export class IgnoresTakeOverAdapter extends ReferenceAdapter {
  override claimChanges(consumer: string): Promise<ChangeClaim> {
    return super.claimChanges(consumer, { takeOver: false });
  }
}

/** recordChanges(false) keeps the claim: a detached change log stays held by its old consumer. */
export class OffKeepsClaimAdapter extends ReferenceAdapter {
  override async recordChanges(on: boolean): Promise<void> {
    const claim = this.backend.claim;
    await super.recordChanges(on);
    this.backend.claim = claim;
  }
}

/** The holder's renewal keeps the first claimedMs: a live consumer looks as silent as a dead one. */
export class StaleRenewalAdapter extends ReferenceAdapter {
  override async claimChanges(consumer: string, options: { takeOver: boolean }): Promise<ChangeClaim> {
    const before = this.backend.claim;
    const claim = await super.claimChanges(consumer, options);
    if (before?.holder === claim.holder)
      this.backend.claim = { ...claim, claimedMs: before.claimedMs - 1000 };
    return { ...this.backend.claim! };
  }
}
