// test/conformance.test.ts
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createStorage, registerAdapter } from "@vcon/storage-core";
import { describeConformance } from "@vcon/storage-core/conformance";
import { expect, it } from "vitest";
import { fileError } from "../src/errors.js";
import { adapter, JsonLinesAdapter } from "../src/index.js";

let dir = "";

describeConformance("jsonl", {
  setup: async () => {
    dir = await mkdtemp(join(tmpdir(), "vcon-jsonl-"));
  },
  teardown: () => rm(dir, { recursive: true, force: true }),
  // A fresh file for every test; core calls open() before the first operation.
  create: () => new JsonLinesAdapter(join(dir, `${randomUUID()}.jsonl`)),
});

registerAdapter(adapter);
const freshPath = () => join(tmpdir(), `vcon-jsonl-${randomUUID()}.jsonl`);

it("keeps vCons across reopening the file", async () => {
  const path = freshPath();
  const uuid = randomUUID();
  const first = await createStorage({ adapter: "jsonl", options: { path } });
  await first.save({ uuid, subject: "kept" });
  await first.close();
  const second = await createStorage({ adapter: "jsonl", options: { path } });
  expect(await second.get(uuid)).toStrictEqual({ uuid, subject: "kept" });
  await second.close();
  await rm(path, { force: true });
});

it("a failed open fails the call, and the next call opens again", async () => {
  const path = freshPath();
  await mkdir(path); // a folder where the file should be: reading it fails (EISDIR)
  const storage = await createStorage({ adapter: "jsonl", options: { path } });
  await expect(storage.get(randomUUID())).rejects.toMatchObject({ code: "INTERNAL" });
  await rm(path, { recursive: true });
  const uuid = randomUUID();
  await storage.save({ uuid, subject: "after the retry" });
  expect(await storage.get(uuid)).toStrictEqual({ uuid, subject: "after the retry" });
  await storage.close();
  await rm(path, { force: true });
});

it("a full disk is a retryable UNAVAILABLE; other file errors are INTERNAL", () => {
  const full = Object.assign(new Error("no space left on device"), { code: "ENOSPC" });
  const denied = Object.assign(new Error("permission denied"), { code: "EACCES" });
  expect(fileError(full, "v.jsonl")).toMatchObject({ code: "UNAVAILABLE", retryable: true });
  expect(fileError(denied, "v.jsonl")).toMatchObject({ code: "INTERNAL", retryable: false });
});
