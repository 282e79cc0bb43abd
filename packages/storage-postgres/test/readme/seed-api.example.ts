// test/readme/seed-api.example.ts
import { closeAll, get, save } from "@vcon/storage-postgres";

/** The seed's module-level functions, with the seed's option names; one pool per target, reused. */
export async function seedStyle(vcon: { uuid: string }, options: Parameters<typeof save>[1]) {
  await save(vcon, options);
  const stored = await get(vcon.uuid, options);
  await closeAll(); // at shutdown
  return stored;
}
