import { deleteEverything, openStorage, storageWorkload } from "../adapter-workload.js";
import type { BenchDoc } from "../documents.js";
import type { Workload } from "../workload.js";
import type { TargetSettings } from "./settings.js";
import type { Side, Target } from "./target.js";

interface RawRecord {
  json: string;
  createdAtMs: number;
  tels: string[];
}

/** The raw side: a Map of JSON text, with the same search work (scan, filter, sort, parse) as the adapter. */
function rawMapWorkload(): Workload {
  const map = new Map<string, RawRecord>();
  const put = (doc: BenchDoc) => {
    const tels = (doc.vcon.parties ?? []).flatMap((p) => (typeof p.tel === "string" ? [p.tel] : []));
    map.set(doc.uuid, { json: JSON.stringify(doc.vcon), createdAtMs: Date.parse(doc.createdAt), tels });
  };
  const ordered = (keep: (r: RawRecord) => boolean) => {
    const matches: Array<[string, RawRecord]> = [];
    for (const entry of map) if (keep(entry[1])) matches.push(entry);
    return matches.sort(([ua, a], [ub, b]) => a.createdAtMs - b.createdAtMs || (ua < ub ? -1 : 1));
  };
  return {
    async save(doc) {
      put(doc);
    },
    async get(uuid) {
      const record = map.get(uuid);
      return record ? JSON.parse(record.json) : null;
    },
    async saveBatch(docs) {
      for (const doc of docs) put(doc);
    },
    async searchTel(tel) {
      const page = ordered((r) => r.tels.includes(tel)).slice(0, 100);
      for (const [, r] of page) JSON.parse(r.json);
      return page.length;
    },
    async exportRange(range) {
      const since = range.since.getTime();
      const until = range.until.getTime();
      let count = 0;
      for (const [, r] of ordered((r) => r.createdAtMs >= since && r.createdAtMs < until)) {
        JSON.parse(r.json);
        count++;
        if (count % 500 === 0) await Promise.resolve(); // yields as an async export does
      }
      return count;
    },
    async clear() {
      map.clear();
    },
    async close() {
      map.clear();
    },
  };
}

export function memoryTarget(settings: TargetSettings): Target {
  return {
    name: "memory",
    adapter: "@vcon/storage-memory (in-process Map)",
    baseline:
      "a Map of JSON.stringify'd text; get = Map.get + JSON.parse; search/export scan, filter, sort and parse like the adapter",
    counts: { batch: settings.scale.batch, dataset: settings.scale.dataset },
    persistent: false,
    async setup() {},
    async open(side: Side) {
      if (side === "raw") return rawMapWorkload();
      const storage = await openStorage({ adapter: "memory" });
      return storageWorkload(storage, () => deleteEverything(storage));
    },
    async teardown() {},
  };
}
