// A child process saving into a shared directory, run by child.ts:
//   writer.ts many <dir> <tag> <sharedUuid>   20 saves of the shared uuid and 20 of its own uuids
//   writer.ts loop <dir> <uuid> <bytes>       saves one large vCon over and over until killed
import { fromAdapter } from "@vcon/storage-core";
import { FileAdapter } from "../../src/index.js";

const [mode, directory, a, b] = process.argv.slice(2);
const storage = fromAdapter(new FileAdapter({ directory: directory! }));
if (mode === "many") {
  const tag = a!;
  for (let i = 0; i < 20; i++) {
    await storage.save({ vcon: "0.3.0", uuid: b!, subject: `${tag}-${i}`, parties: [] });
    const own = `0190a3c4-0000-7000-8${tag}-${String(i).padStart(12, "0")}`;
    await storage.save({ vcon: "0.3.0", uuid: own, subject: `${tag}-own-${i}`, parties: [] });
  }
} else if (mode === "loop") {
  const body = "x".repeat(Number(b));
  for (let i = 0; ; i++) {
    await storage.save({
      vcon: "0.3.0",
      uuid: a!,
      subject: `round ${i}`,
      parties: [],
      attachments: [{ body }],
    });
  }
} else {
  throw new Error(`unknown mode ${mode}`);
}
await storage.close();
