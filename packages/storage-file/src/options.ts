import { optionsParser } from "@vcon/storage-core/adapter";
import { z } from "zod";

/** The configuration name: `createStorage({ adapter: "file", ... })`. */
export const NAME = "file";

export const fileOptions = z
  .object({
    /** Folder holding the shards. */
    directory: z.string().min(1),
    /** Create `directory` (and its parents) when it is missing; when false, a missing one is UNAVAILABLE. */
    createDirectory: z.boolean().default(true),
    /** Levels of two-hex-character sub-folders (1 to 3). */
    shardDepth: z.number().int().min(1).max(3).default(1),
    /** fsync each file before its rename and its folder after, so a save survives power loss. */
    fsync: z.boolean().default(true),
    /** Files read at once while scanning (search, export) and written at once by saveMany. */
    concurrency: z.number().int().min(1).max(256).default(16),
    /** A temp file left by a crashed writer is deleted by a scan once it is this old (ms). */
    staleTempMs: z
      .number()
      .int()
      .min(0)
      .default(10 * 60 * 1000),
  })
  .strict();

/** Options as callers write them. */
export type FileOptions = z.input<typeof fileOptions>;
/** Options after the schema filled in the defaults. */
export type ResolvedFileOptions = z.output<typeof fileOptions>;

/** Parses options once: the registry's (trusted in `create`) are not checked again by the constructor. */
export const fileOptionsParser = optionsParser({ name: NAME, options: fileOptions });
