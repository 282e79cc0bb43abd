// test/conformance.test.ts
import { describeConformance } from "@vcon/storage-core/conformance";
import { MemoryAdapter } from "../src/index.js";

// The bare adapter: the suite wraps it with fromAdapter and can also run its raw-adapter checks.
describeConformance("memory", { create: () => new MemoryAdapter() });
