// test/readme/direct.example.ts
import { readFile } from "node:fs/promises";
import { fromAdapter } from "@vcon/storage-core";
import { FileAdapter } from "@vcon/storage-file";

/** The adapter built directly, every option spelled out; each file is the saved JSON, readable by any tool. */
export async function archive(directory: string, signedVconJson: string) {
  const adapter = await FileAdapter.open({
    directory,
    createDirectory: false, // an archive mount that must already exist: UNAVAILABLE otherwise
    shardDepth: 2, // <directory>/ab/cd/<uuid>.json: 65,536 folders for tens of millions of files
    fsync: true, // a save that returned survives a power cut
    concurrency: 16, // files read at once by search and export
    staleTempMs: 10 * 60_000, // temp files of crashed writers older than this are deleted by scans
  });
  const storage = fromAdapter(adapter, { name: "archive" });
  try {
    const { uuid } = await storage.save(signedVconJson); // a string is stored byte for byte
    const onDisk = await readFile(adapter.pathOf(uuid), "utf8"); // what `cat` or `jq` see
    const removed = await adapter.removeStaleTempFiles(); // maintenance without a scan-based query
    return { sameBytes: onDisk === signedVconJson, removed };
  } finally {
    await storage.close();
  }
}
