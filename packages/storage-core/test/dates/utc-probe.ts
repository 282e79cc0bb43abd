/**
 * Run in a child process under another TZ by dates.test.ts: prints how core reads offset-less
 * date-times everywhere it reads dates, so the test can check none of them follows the local zone.
 */
import {
  decodeCursor,
  encodeCursor,
  matchesQuery,
  normalizeExportOptions,
  normalizeSearchQuery,
} from "../../src/adapter-kit.js";
import { parseVconDate, prepareVcon } from "../../src/index.js";

const naive = "2024-03-16T16:09:20.701906";
const prepared = prepareVcon({ uuid: "0190f1c2-8a3b-7cde-9f01-000000000001", created_at: naive });
const query = normalizeSearchQuery({ since: naive, until: "2024-03-16 16:09:21" });
const exported = normalizeExportOptions({ since: naive }, new AbortController().signal);
const after = decodeCursor(encodeCursor({ createdAt: "2024-03-16T16:09:20", uuid: prepared.uuid }));
const record = {
  uuid: "ffffffff-0000-4000-8000-000000000000",
  createdAtMs: prepared.createdAtMs!,
  subject: null,
  parties: [],
};

console.log(
  JSON.stringify({
    offset: new Date(2024, 2, 16).getTimezoneOffset(),
    parsed: parseVconDate(naive),
    createdAtMs: prepared.createdAtMs,
    since: query.since?.getTime(),
    until: query.until?.getTime(),
    exportSince: exported.since?.getTime(),
    matchesWindow: matchesQuery(record, query),
    afterCursor: matchesQuery(record, { after }),
  }),
);
