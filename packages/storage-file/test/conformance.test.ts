import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeConformance } from "@vcon/storage-core/conformance";
import { afterAll } from "vitest";
import { FileAdapter } from "../src/index.js";
import { ImmutableFolders } from "./support/immutable.js";

const root = mkdtempSync(join(tmpdir(), "vcon-file-"));
let latest: FileAdapter | null = null;
let n = 0;

// The backend-failure hook: the kernel refuses writes into the folder of the refused uuid (chattr +i).
// shardDepth 3 gives each uuid a folder of its own in practice (16.7 million), so other uuids still write.
const immutable = new ImmutableFolders();
const unsupported = ImmutableFolders.unsupportedReason();
if (unsupported) console.warn(`[storage-file] conformance: backend-failure hook off, ${unsupported}`);
const failureHooks = unsupported
  ? {}
  : {
      failWrites: (uuid: string) => immutable.lock(join(latest!.pathOf(uuid), "..")),
      restoreWrites: () => immutable.unlockAll(),
    };

describeConformance("file", {
  create: () => {
    latest = new FileAdapter({ directory: join(root, `s${n++}`), fsync: false, shardDepth: 3 });
    return latest;
  },
  ...failureHooks,
});

afterAll(() => {
  immutable.unlockAll();
  rmSync(root, { recursive: true, force: true });
});
