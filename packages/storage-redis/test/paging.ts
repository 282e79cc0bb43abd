import type { VconStorage } from "@vcon/storage-core";

/** The uuids of every search page, following `nextCursor` to the end, `limit` per page. */
export async function pagedUuids(storage: VconStorage, limit: number): Promise<string[]> {
  const uuids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<VconStorage["search"]>> = await storage.search({ limit, cursor });
    uuids.push(...page.items.map((v) => v.uuid as string));
    cursor = page.nextCursor;
  } while (cursor);
  return uuids;
}
