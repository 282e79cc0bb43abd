// test/readme/usage.example.ts
import { fromAdapter } from "@vcon/storage-core";
import { MemoryAdapter } from "@vcon/storage-memory";

export async function demo(): Promise<string[]> {
  const storage = fromAdapter(new MemoryAdapter());
  await storage.save({
    uuid: "0190f1c2-8a3b-7cde-9f01-23456789abcd",
    created_at: "2024-01-15T12:30:00Z",
    subject: "Account problem",
    parties: [{ tel: "+15551230001", name: "Ana" }],
  });
  const page = await storage.search({ name: "ana" });
  await storage.close(); // the documents go with it
  return page.items.map((vcon) => String(vcon.uuid));
}
