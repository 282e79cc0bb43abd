// test/conformance.test.ts
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createStorage, registerAdapter } from "@vcon/storage-core";
import { describeConformance } from "@vcon/storage-core/conformance";
import { expect, it } from "vitest";
import { adapter, JsonLinesAdapter } from "../src/index.js";

let dir = "";

describeConformance("jsonl", {
  setup: async () => {
    dir = await mkdtemp(join(tmpdir(), "vcon-jsonl-"));
  },
  teardown: () => rm(dir, { recursive: true, force: true }),
  // A fresh file for every test.
  create: () => JsonLinesAdapter.open(join(dir, `${randomUUID()}.jsonl`)),
});

it("keeps vCons across reopening the file", async () => {
  const path = join(tmpdir(), `vcon-jsonl-${randomUUID()}.jsonl`);
  registerAdapter(adapter);
  const uuid = randomUUID();
  const first = await createStorage({ adapter: "jsonl", options: { path } });
  await first.save({ uuid, subject: "kept" });
  await first.close();
  const second = await createStorage({ adapter: "jsonl", options: { path } });
  expect(await second.get(uuid)).toStrictEqual({ uuid, subject: "kept" });
  await second.close();
  await rm(path, { force: true });
});
