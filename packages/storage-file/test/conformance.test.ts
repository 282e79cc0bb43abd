import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeConformance } from "@vcon/storage-core/conformance";
import { afterAll } from "vitest";
import { FileAdapter } from "../src/index.js";

const root = mkdtempSync(join(tmpdir(), "vcon-file-"));
let n = 0;
describeConformance("file", {
  create: () => new FileAdapter({ directory: join(root, `s${n++}`), fsync: false }),
});

afterAll(() => rmSync(root, { recursive: true, force: true }));
