import { randomBytes } from "node:crypto";
import { describeConformance } from "@vcon/storage-core/conformance";
import { RedisAdapter } from "../src/index.js";
import { AclWriteRefusal } from "./acl-refusal.js";
import { deleteKeys, describeWithRedis, REDIS_URL, rawClient, uniquePrefix } from "./redis-env.js";

const prefix = uniquePrefix("conformance");
// Every connection of this suite's adapters carries this name, so the server can count them.
const connectionName = `vcon-conformance-${randomBytes(4).toString("hex")}`;
let storages = 0;

/** Connections the server holds for this suite's adapters (CLIENT LIST, by name). */
async function openConnections(): Promise<number> {
  const raw = rawClient();
  try {
    const list = String(await raw.call("CLIENT", "LIST"));
    return list.split("\n").filter((line) => line.includes(` name=${connectionName} `)).length;
  } finally {
    raw.disconnect();
  }
}

await describeWithRedis("redis conformance", () => {
  // The adapters log in as an ACL user whose key permissions the failWrites hook narrows.
  const admin = rawClient();
  const refusal = new AclWriteRefusal([admin]);
  describeConformance("redis", {
    setup: () => refusal.create(),
    create: () =>
      new RedisAdapter({
        url: refusal.urlFor(REDIS_URL),
        keyPrefix: `${prefix}${storages++}:`,
        connectionName,
      }),
    failWrites: (uuid) => refusal.refuse(uuid),
    restoreWrites: () => refusal.restore(),
    openResources: openConnections,
    teardown: async () => {
      await refusal.remove();
      admin.disconnect();
      await deleteKeys(prefix);
    },
  });
});
