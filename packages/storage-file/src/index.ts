import { type AdapterDefinition, defineAdapter } from "@vcon/storage-core/adapter";
import { FileAdapter } from "./adapter.js";
import { fileOptions, fileOptionsParser, NAME, type ResolvedFileOptions } from "./options.js";

export { FileAdapter } from "./adapter.js";
export { type FileOptions, fileOptions, NAME, type ResolvedFileOptions } from "./options.js";

/** Registered as `file`: `createStorage({ adapter: "file", options: { directory } })`. */
export const adapter: AdapterDefinition<ResolvedFileOptions> = defineAdapter({
  name: NAME,
  description: "One JSON file per vCon in sharded folders; search and export scan the directory.",
  options: fileOptions,
  // The registry has parsed the options with `fileOptions`; the directory is checked before use.
  create: async (options) => {
    const created = new FileAdapter(fileOptionsParser.trust(options));
    await created.open();
    return created;
  },
});

export default adapter;
