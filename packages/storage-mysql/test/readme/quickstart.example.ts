// test/readme/quickstart.example.ts
import { AdapterRegistry } from "@vcon/storage-core";
import { adapter } from "@vcon/storage-mysql";

/** MySQL or MariaDB at `url` (mysql://user:password@host:port/database); the tables are created on start. */
export async function quickstart(url: string) {
  const registry = new AdapterRegistry().register(adapter);
  const storage = await registry.create({ adapter: "mysql", options: { url, table: "vcons" } });
  try {
    const uuid = "018f3c9e-7b1a-8c2d-9e3f-0123456789ab";
    await storage.save({
      uuid,
      created_at: "2024-03-01T10:00:00Z",
      subject: "Billing question",
      parties: [{ tel: "+15551234567", name: "Alice" }],
    });
    const found = await storage.get(uuid); // the document, or null
    const page = await storage.search({ tel: "+15551234567", name: "ALI", limit: 20 });
    let exported = 0;
    for await (const _vcon of storage.export()) exported++;
    return { found, matches: page.items.length, exported };
  } finally {
    await storage.close();
  }
}
