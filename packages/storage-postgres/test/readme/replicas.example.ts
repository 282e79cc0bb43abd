// test/readme/replicas.example.ts
import { fromAdapter, type Vcon } from "@vcon/storage-core";
import { PostgresAdapter } from "@vcon/storage-postgres";

/** Writes to the primary, reads from hot standbys; read-your-writes for this storage's own uuids. */
export async function withReplicas(
  primaryUrl: string,
  standbyUrls: string[],
  vcon: Vcon & { subject: string },
) {
  const adapter = await PostgresAdapter.connect({
    url: primaryUrl,
    replicas: standbyUrls, // user, password and database default to the primary's
    maxReplicaLagMs: 5_000, // a standby further behind is skipped until it catches up
  });
  const storage = fromAdapter(adapter, { name: "primary" });
  try {
    await storage.save(vcon); // the primary
    const mine = await storage.get(String(vcon.uuid)); // written here just now: the primary
    const page = await storage.search({ subject: vcon.subject }); // a healthy standby, maybe behind
    const fresh = await storage.search({ subject: vcon.subject }, { consistency: "primary" });
    return {
      mine,
      standbyMatches: page.items.length,
      primaryMatches: fresh.items.length,
      replicas: adapter.replicas(),
    };
  } finally {
    await storage.close();
  }
}
