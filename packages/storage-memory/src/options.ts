import { z } from "zod";

/** The configuration name: `createStorage({ adapter: "memory" })`. */
export const NAME = "memory";

/** The memory adapter takes no options; unknown ones are refused by name. */
export const memoryOptions = z.object({}).strict();
export type MemoryOptions = z.infer<typeof memoryOptions>;
