/** Replica options, targets and the read-your-writes bound, without servers (a refused port at most). */
import { inspect } from "node:util";
import { isStorageError } from "@vcon/storage-core";
import { describe, expect, it } from "vitest";
import { PostgresAdapter, parsePostgresOptions } from "../src/index.js";
import { RecentWrites } from "../src/replicas/recent-writes.js";
import { replicaTargets, replicaUrls } from "../src/replicas/targets.js";

const SECRET = "s3cret-replica-pw";

async function validationPaths(action: () => Promise<unknown>): Promise<string[]> {
  const error = await action().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(isStorageError(error, "VALIDATION")).toBe(true);
  if (!isStorageError(error, "VALIDATION")) return [];
  expect(`${error.message} ${JSON.stringify(error.issues)}`).not.toContain(SECRET);
  return error.issues.map((issue) => issue.path);
}

describe("replica options", () => {
  it("a replica URL leaves out what the primary has: user, password (for the same user) and database", () => {
    const options = parsePostgresOptions({
      url: "postgres://app:primary-pw@db-1:5432/vcons",
      replicas: ["postgres://db-2", "postgres://reader@db-3:6432/other"],
    });
    expect(replicaTargets(options, {})).toMatchObject([
      { host: "db-2", port: 5432, user: "app", password: "primary-pw", database: "vcons" },
      // Another user does not get the primary's password.
      { host: "db-3", port: 6432, user: "reader", password: "", database: "other" },
    ]);
  });

  it("POSTGRES_REPLICA_URLS applies when the primary comes from the environment too", () => {
    const env = { POSTGRES_REPLICA_URLS: " postgres://r1:5432 ,postgres://r2:5432,," };
    expect(replicaUrls(parsePostgresOptions({}), env)).toStrictEqual([
      "postgres://r1:5432",
      "postgres://r2:5432",
    ]);
    expect(replicaUrls(parsePostgresOptions({ url: "postgres://elsewhere/db" }), env)).toStrictEqual([]);
    expect(replicaUrls(parsePostgresOptions({ replicas: ["postgres://r3"] }), env)).toStrictEqual([
      "postgres://r3",
    ]);
  });

  it("a malformed replica URL is a VALIDATION naming its index, without echoing it", async () => {
    const paths = await validationPaths(() =>
      PostgresAdapter.connect({
        url: "postgres://127.0.0.1:1/x",
        replicas: ["postgres://ok", `::${SECRET}@`],
      }),
    );
    expect(paths).toStrictEqual(["options.replicas[1]"]);
  });

  it("replicas with an embedded or borrowed connection are a VALIDATION", async () => {
    expect(
      await validationPaths(() => PostgresAdapter.connect({ embedded: true, replicas: ["postgres://r"] })),
    ).toStrictEqual(["options.replicas"]);
  });

  it("a replica that does not answer is down, and its password shows nowhere", async () => {
    // Port 1 refuses at once; nothing is listening there.
    const adapter = await PostgresAdapter.open({
      url: "postgres://127.0.0.1:1/x",
      replicas: [`postgres://postgres:${SECRET}@127.0.0.1:1/x`],
      connectionTimeoutMs: 2_000,
    });
    try {
      const [status] = await adapter.checkReplicas();
      expect(status).toMatchObject({ target: "127.0.0.1:1/x", state: "down" });
      expect(status!.problem).toMatch(/^UNAVAILABLE: /);
      expect(adapter.describe()).toMatchObject({ replicas: ["127.0.0.1:1/x"] });
      const shown = [JSON.stringify(adapter.replicas()), JSON.stringify(adapter), inspect(adapter)].join(
        "\n",
      );
      expect(shown).not.toContain(SECRET);
    } finally {
      await adapter.close();
    }
  });
});

describe("RecentWrites (read-your-writes bookkeeping)", () => {
  it("a uuid counts as recent for the window after its last write", () => {
    let now = 1_000;
    const recent = new RecentWrites(500, 10, () => now);
    recent.note("a");
    expect(recent.has("a")).toBe(true);
    expect(recent.has("b")).toBe(false);
    now += 400;
    recent.note("a"); // written again: the window starts over
    now += 400;
    expect(recent.has("a")).toBe(true);
    now += 101;
    expect(recent.has("a")).toBe(false);
  });

  it("past its capacity every uuid counts as recent until the dropped one would have expired", () => {
    let now = 0;
    const recent = new RecentWrites(1_000, 2, () => now);
    recent.note("a");
    now = 10;
    recent.note("b");
    recent.note("c"); // drops "a", which expires at 1000
    expect(recent.size).toBe(2);
    expect(recent.has("a")).toBe(true);
    expect(recent.has("never-written")).toBe(true);
    now = 1_000;
    expect(recent.has("never-written")).toBe(false);
    expect(recent.has("c")).toBe(true);
  });
});
