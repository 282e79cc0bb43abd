// test/readme/options.example.ts
import { fromAdapter } from "@vcon/storage-core";
import { SqliteAdapter } from "@vcon/storage-sqlite";

/** Every option, with its default. */
export async function withOptions(path: string) {
  const storage = fromAdapter(
    new SqliteAdapter({
      path, // a file, or ":memory:" (the default): private to this storage, gone at close
      table: "vcons", // plus vcons_keys (search keys) and vcons_migrations
      busyTimeoutMs: 5_000, // how long a write waits for another process's write lock
      synchronous: "full", // "normal": faster, still safe when the process crashes, not on power loss
    }),
    { name: "local" },
  );
  await storage.save({ uuid: "018f3c9e-7b1a-8c2d-9e3f-0123456789ab", parties: [] });
  const count = (await storage.search({})).items.length;
  await storage.close();
  return count;
}
