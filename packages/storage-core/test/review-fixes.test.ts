/**
 * Error paths found in review: a wrapped cause chain that lost the driver's error, caller input that
 * crashed instead of failing VALIDATION, and VALIDATION messages that echoed a hostile value whole.
 */
import { describe, expect, it } from "vitest";
import type { StorageAdapter } from "../src/adapter-kit.js";
import {
  BatchError,
  fromAdapter,
  InternalError,
  isStorageError,
  type OperationEvent,
  prepareVcon,
  type SearchQuery,
  scrubSecrets,
  UnavailableError,
} from "../src/index.js";
import { ReferenceAdapter } from "./broken/reference-adapter.js";

const UUID = "0190f1c2-8a3b-7cde-9f01-000000000001";

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return expect.fail("expected a throw");
}

describe("cause chains", () => {
  it("a StorageError given as cause stays that StorageError, with the driver's error under it", () => {
    const driver = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    const unavailable = new UnavailableError("db unreachable", { cause: driver });
    const wrapper = new InternalError("outer", { cause: unavailable });
    expect(wrapper.cause).toBe(unavailable);
    expect(isStorageError(wrapper.cause, "UNAVAILABLE")).toBe(true);
    expect((unavailable.cause as { code?: string }).code).toBe("ECONNREFUSED");
  });

  it("a driver error's own cause is kept, scrubbed", () => {
    const inner = Object.assign(new Error("connect to postgres://app:s3cr3t@db/v refused"), {
      code: "ECONNREFUSED",
    });
    const error = new InternalError("x", { cause: new Error("Connection terminated", { cause: inner }) });
    const kept = (error.cause as Error).cause as Error & { code?: string };
    expect(kept.message).toBe("connect to postgres://app:***@db/v refused");
    expect(kept.code).toBe("ECONNREFUSED");
  });

  it("a BatchError's cause is the chunk's classified error, which keeps what the driver threw", async () => {
    const adapter: StorageAdapter = {
      name: "refusing",
      capabilities: { saveMany: true },
      save: async () => {},
      get: async () => null,
      close: async () => {},
      saveMany: async () => {
        throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
      },
    };
    const storage = fromAdapter(adapter);
    const error = await storage.saveMany([{ uuid: UUID }]).then(
      () => expect.fail("expected a rejection"),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BatchError);
    const cause = (error as BatchError).cause;
    expect(isStorageError(cause, "UNAVAILABLE")).toBe(true);
    expect(((cause as Error).cause as { code?: string }).code).toBe("ECONNREFUSED");
    await storage.close();
  });
});

describe("caller input that is not an object", () => {
  it("search(null) and export(null) are VALIDATION, not a TypeError", async () => {
    const storage = fromAdapter(new ReferenceAdapter());
    const search = await storage.search(null as unknown as SearchQuery).then(
      () => expect.fail("expected a rejection"),
      (e: unknown) => e,
    );
    expect(isStorageError(search, "VALIDATION")).toBe(true);
    const exported = thrown(() => storage.export(null as never));
    expect(isStorageError(exported, "VALIDATION")).toBe(true);
    await storage.close();
  });
});

describe("what a bad uuid argument leaves in events, logs and messages", () => {
  it("events carry the canonical uuid, or none for text that is not one; the message does not echo it", async () => {
    const events: OperationEvent[] = [];
    const logged: string[] = [];
    const keep = (object: object) => {
      logged.push(JSON.stringify(object));
    };
    const storage = fromAdapter(new ReferenceAdapter(), {
      onOperation: (event) => events.push(event),
      logger: { debug: keep, info: keep, warn: keep, error: keep },
    });
    await storage.get(UUID.toUpperCase());
    const error = await storage.get("+15551234567").then(
      () => expect.fail("expected a rejection"),
      (e: unknown) => e,
    );
    expect(isStorageError(error, "VALIDATION")).toBe(true);
    expect((error as Error).message).not.toContain("5551234567");
    expect(events.map((event) => event.uuid)).toStrictEqual([UUID, undefined]);
    expect(logged.join("\n")).not.toContain("5551234567");
    await storage.close();
  });
});

describe("saveMany of a sparse array", () => {
  it("refuses a hole as a missing vCon at its index instead of skipping it", async () => {
    const storage = fromAdapter(new ReferenceAdapter());
    const sparse: unknown[] = [{ uuid: UUID }];
    sparse.length = 3;
    const error = await storage.saveMany(sparse as never).then(
      () => expect.fail("expected a rejection"),
      (e: unknown) => e,
    );
    expect(isStorageError(error, "VALIDATION")).toBe(true);
    expect(isStorageError(error, "VALIDATION") && error.issues.map((issue) => issue.path)).toStrictEqual([
      "$[1]",
      "$[2]",
    ]);
    expect(await storage.get(UUID)).toBeNull();
    await storage.close();
  });
});

describe("VALIDATION messages stay small", () => {
  it("a huge uuid or created_at is not echoed whole", () => {
    const huge = "x".repeat(100_000);
    for (const document of [{ uuid: huge }, { uuid: UUID, created_at: huge }, { uuid: { nested: huge } }]) {
      const error = thrown(() => prepareVcon(document));
      expect(isStorageError(error, "VALIDATION")).toBe(true);
      expect((error as Error).message.length).toBeLessThan(500);
    }
  });
});

describe("scrubbing long text", () => {
  it("a 200 kB word is scrubbed in one pass (it was quadratic: ~20 s)", { timeout: 5000 }, () => {
    const word = "x".repeat(200_000);
    expect(scrubSecrets(word)).toBe(word);
    expect(scrubSecrets(`${"a1".repeat(100_000)} redis://u:pw@h`)).toBe(
      `${"a1".repeat(100_000)} redis://u:***@h`,
    );
  });

  it("still masks URLs whose scheme follows digits or punctuation", () => {
    expect(scrubSecrets("1redis://:pw@h")).toBe("1redis://:***@h");
    expect(scrubSecrets("x-1redis://u:pw@h")).toBe("x-1redis://u:***@h");
    expect(scrubSecrets("url=postgres://app:pw@db/v and (mysql://root:pw2@m)")).toBe(
      "url=postgres://app:***@db/v and (mysql://root:***@m)",
    );
  });
});
