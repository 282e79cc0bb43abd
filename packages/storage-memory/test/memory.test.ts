import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { AdapterRegistry, fromAdapter, isStorageError, vconUuidOf } from "@vcon/storage-core";
import { prepareVcon } from "@vcon/storage-core/adapter";
import { describe, expect, it, vi } from "vitest";
import { adapter, MemoryAdapter } from "../src/index.js";

const SAMPLES = fileURLToPath(new URL("../../../../shared/vcon-samples/ietf-vcon-core/", import.meta.url));

describe("memory adapter specifics", () => {
  it("is registered as memory, takes no options and rejects unknown ones by name", async () => {
    const registry = new AdapterRegistry().register(adapter);
    const storage = await registry.create({ adapter: "memory" });
    expect(storage.adapter).toBe("memory");
    expect(Object.values(storage.capabilities).every(Boolean)).toBe(true);
    await storage.close();
    const error = await registry
      .create({ adapter: "memory", options: { dir: "/tmp" } })
      .catch((e: unknown) => e);
    expect(isStorageError(error, "VALIDATION")).toBe(true);
    expect((error as Error).message).toContain("dir");
  });

  it("counts distinct documents and forgets them on close", async () => {
    const memory = new MemoryAdapter();
    const storage = fromAdapter(memory);
    const uuid = "0190f1c2-8a3b-7cde-9f01-23456789abcd";
    await storage.save({ uuid });
    await storage.save({ uuid: uuid.toUpperCase(), v: 2 });
    expect(memory.size).toBe(1);
    await storage.close();
    expect(memory.size).toBe(0);
  });
});

describe("memory change log", () => {
  const uuid = (n: number) => `0190f1c2-8a3b-7cde-9f01-${String(n).padStart(12, "0")}`;

  it("is kept per instance: another MemoryAdapter neither sees nor records it", async () => {
    const first = fromAdapter(new MemoryAdapter());
    const second = fromAdapter(new MemoryAdapter());
    await first.recordChanges!(true);
    await first.save({ uuid: uuid(1) });
    await second.save({ uuid: uuid(2) });
    expect((await first.readChanges!()).map((change) => change.uuid)).toStrictEqual([uuid(1)]);
    expect(await second.pendingChanges!()).toStrictEqual({ count: 0, oldestMs: null });
    await first.close();
    await second.close();
  });

  it("close forgets the log and turns recording off", async () => {
    const memory = new MemoryAdapter();
    await memory.recordChanges(true);
    await memory.save(prepareVcon({ uuid: uuid(1) }));
    expect((await memory.pendingChanges()).count).toBe(1);
    await memory.close();
    expect(await memory.pendingChanges()).toStrictEqual({ count: 0, oldestMs: null });
    // The memory adapter keeps answering after close (core answers CLOSED first): nothing is recorded.
    await memory.save(prepareVcon({ uuid: uuid(2) }));
    expect(await memory.readChanges(10)).toStrictEqual([]);
  });

  it("recordedMs never goes back when the clock does, so the lowest id is the oldest", async () => {
    const memory = new MemoryAdapter();
    await memory.recordChanges(true);
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(2_000_000);
      await memory.save(prepareVcon({ uuid: uuid(1) }));
      vi.setSystemTime(1_000_000);
      await memory.save(prepareVcon({ uuid: uuid(2) }));
    } finally {
      vi.useRealTimers();
    }
    expect((await memory.readChanges(10)).map((change) => change.recordedMs)).toStrictEqual([
      2_000_000, 2_000_000,
    ]);
    expect(await memory.pendingChanges()).toStrictEqual({ count: 2, oldestMs: 2_000_000 });
    await memory.close();
  });
});

describe.skipIf(!existsSync(SAMPLES))("the IETF draft samples (../shared/vcon-samples)", () => {
  const files = existsSync(SAMPLES)
    ? readdirSync(SAMPLES)
        .filter((file) => file.endsWith(".vcon"))
        .sort()
    : [];

  it("stores every sample that has a uuid and reads it back unchanged; refuses the others", async () => {
    const storage = fromAdapter(new MemoryAdapter());
    let stored = 0;
    for (const file of files) {
      const text = readFileSync(`${SAMPLES}${file}`, "utf8");
      const document = JSON.parse(text);
      const uuid = vconUuidOf(document);
      if (uuid === null) {
        await expect(storage.save(text), file).rejects.toMatchObject({ code: "VALIDATION" });
        continue;
      }
      expect(await storage.save(text), file).toStrictEqual({ uuid });
      expect(await storage.get(uuid), file).toStrictEqual(document);
      stored++;
    }
    expect(stored).toBe(files.length - 2);
    await storage.close();
  });

  it("the three follow-up emails share one uuid: the last saved wins", async () => {
    const storage = fromAdapter(new MemoryAdapter());
    const followups = files.filter((file) => file.startsWith("ab_email_prob_followup_"));
    expect(followups).toHaveLength(3);
    let last: unknown;
    for (const file of followups) {
      last = JSON.parse(readFileSync(`${SAMPLES}${file}`, "utf8"));
      await storage.save(last as never);
    }
    const page = await storage.search({ subject: "account issue followup" });
    expect(page.items).toStrictEqual([last]);
    await storage.close();
  });
});
