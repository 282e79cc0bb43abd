// test/readme/map-adapter.example.ts
import { createStorage, registerAdapter } from "@vcon/storage-core";
import {
  defineAdapter,
  type PreparedVcon,
  type StorageAdapter,
  type VconDocument,
} from "@vcon/storage-core/adapter";
import { z } from "zod";

/** The smallest adapter: save, get, close, plus one declared capability. */
export class MapAdapter implements StorageAdapter {
  readonly name = "map";
  readonly capabilities = { delete: true };
  #json = new Map<string, string>();

  async save(vcon: PreparedVcon): Promise<void> {
    this.#json.set(vcon.uuid, vcon.json); // an upsert: core already checked and serialised the vCon
  }

  async get(uuid: string): Promise<VconDocument | null> {
    const json = this.#json.get(uuid);
    return json === undefined ? null : JSON.parse(json); // a fresh copy on every read
  }

  async delete(uuid: string): Promise<boolean> {
    return this.#json.delete(uuid);
  }

  async close(): Promise<void> {
    this.#json.clear();
  }
}

export const mapAdapter = defineAdapter({
  name: "map",
  options: z.object({ label: z.string().default("map") }).strict(),
  create: () => new MapAdapter(),
});

export async function main(): Promise<string[]> {
  registerAdapter(mapAdapter);
  const timings: string[] = [];
  const storage = await createStorage({
    adapter: "map",
    name: "scratch",
    logger: console, // any pino-compatible logger; silent when left out
    onOperation: (event) => timings.push(`${event.operation} ${event.ok ? "ok" : event.code}`),
  });
  const { uuid } = await storage.save({ uuid: "0190F1C2-8A3B-7CDE-9F01-23456789ABCD", subject: "hello" });
  await storage.get(uuid); // uuid is canonical: lower case
  await storage.search({ tel: "+1555" }).catch(() => {}); // not declared: NOT_SUPPORTED
  await storage.close();
  return timings; // ["save ok", "get ok", "search NOT_SUPPORTED", "close ok"]
}
