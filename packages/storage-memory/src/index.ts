import { type AdapterDefinition, defineAdapter } from "@vcon/storage-core/adapter";
import { MemoryAdapter } from "./adapter.js";
import { type MemoryOptions, memoryOptions, NAME } from "./options.js";

export { MemoryAdapter } from "./adapter.js";
export { type MemoryOptions, memoryOptions, NAME } from "./options.js";

/** Registered as `memory`: `createStorage({ adapter: "memory" })`. */
export const adapter: AdapterDefinition<MemoryOptions> = defineAdapter({
  name: NAME,
  description: "In-process Map; nothing survives a restart.",
  options: memoryOptions,
  create: () => new MemoryAdapter(),
});

export default adapter;
