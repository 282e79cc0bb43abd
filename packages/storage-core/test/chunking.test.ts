import { describe, expect, it } from "vitest";
import type { StorageAdapter } from "../src/adapter-kit.js";
import { fromAdapter, type PreparedVcon } from "../src/index.js";

/** An adapter that records the chunks core hands to saveMany. */
function recordingAdapter(limits: { maxBatchSize?: number; maxBatchBytes?: number }) {
  const chunks: number[][] = [];
  const adapter: StorageAdapter = {
    name: "recording",
    capabilities: { saveMany: true },
    ...limits,
    async save() {},
    async get() {
      return null;
    },
    async close() {},
    async saveMany(chunk: readonly PreparedVcon[]) {
      chunks.push(chunk.map((vcon) => vcon.bytes));
    },
  };
  return { adapter, chunks };
}

const vconOfSize = (index: number, padding: number) => ({
  uuid: `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`,
  note: "x".repeat(padding),
});

describe("saveMany chunking", () => {
  it("cuts chunks by count and by bytes, whichever comes first", async () => {
    const { adapter, chunks } = recordingAdapter({ maxBatchSize: 3, maxBatchBytes: 2_000 });
    const batch = [
      vconOfSize(1, 100),
      vconOfSize(2, 100),
      vconOfSize(3, 100),
      vconOfSize(4, 900),
      vconOfSize(5, 900),
      vconOfSize(6, 900),
    ];
    const result = await fromAdapter(adapter).saveMany(batch);
    expect(result.chunks).toEqual([
      { start: 0, end: 3 },
      { start: 3, end: 5 },
      { start: 5, end: 6 },
    ]);
    for (const chunk of chunks) expect(chunk.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(2_000);
  });

  it("a document larger than the byte limit still travels, alone", async () => {
    const { adapter, chunks } = recordingAdapter({ maxBatchBytes: 500 });
    await fromAdapter(adapter).saveMany([vconOfSize(1, 10), vconOfSize(2, 5_000), vconOfSize(3, 10)]);
    expect(chunks.map((chunk) => chunk.length)).toEqual([1, 1, 1]);
  });
});
