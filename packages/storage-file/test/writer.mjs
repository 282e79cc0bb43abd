// A child process that saves vCons into a shared directory: node writer.mjs <dir> <tag> <sharedUuid>
import { fromAdapter } from "@vcon/storage-core";
import { FileAdapter } from "@vcon/storage-file";

const [directory, tag, shared] = process.argv.slice(2);
const storage = fromAdapter(new FileAdapter({ directory }));
for (let i = 0; i < 20; i++) {
  await storage.save({ vcon: "0.3.0", uuid: shared, subject: `${tag}-${i}`, parties: [] });
  const own = `0190a3c4-0000-7000-8${tag}-${String(i).padStart(12, "0")}`;
  await storage.save({ vcon: "0.3.0", uuid: own, subject: `${tag}-own-${i}`, parties: [] });
}
await storage.close();
