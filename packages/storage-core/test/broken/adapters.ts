/** Deliberately broken adapters: the conformance suite must fail each of them. */
import {
  compareRecords,
  cursorOf,
  fromAdapter,
  matchesQuery,
  type NormalizedExportOptions,
  type NormalizedSearchQuery,
  type PreparedVcon,
  type SearchPage,
  type VconDocument,
  type VconStorage,
} from "../../src/index.js";
import { ReferenceAdapter, type StoredRecord } from "./reference-adapter.js";

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
    adapter: inner.adapter,
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
