import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AdapterRegistry } from "@vcon/storage-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppConfigInput } from "../src/index.js";
import { adapter as partySearchAdapter } from "./fixtures/party-search-adapter.js";
import { makeVcon, postJson, type RunningServer, startServer } from "./helpers.js";

interface Page {
  items: { uuid: string }[];
  nextCursor: string | null;
}

const tags = (values: string[]) => [{ purpose: "tags", encoding: "json", body: values }];

const folder = mkdtempSync(join(tmpdir(), "vcon-text-tags-"));
const backends: [string, AppConfigInput["storages"]][] = [
  ["memory", { primary: { adapter: "memory" } }],
  ["file", { primary: { adapter: "file", options: { directory: folder, fsync: false } } }],
];

describe.each(backends)("GET /vcons?text=&tag= on %s", (_label, storages) => {
  let running: RunningServer;
  const token = randomBytes(4).toString("hex");
  const refund = makeVcon({
    subject: `Refund request ${token}`,
    dialog: [{ type: "text", body: `I would like my money back, order ${token}`, parties: [0, 1] }],
    attachments: tags(["topic:billing", `batch:${token}`, "urgent"]),
  });
  const shipping = makeVcon({
    subject: `Where is my parcel ${token}`,
    analysis: [{ type: "summary", encoding: "none", body: `Customer asks about shipping ${token}` }],
    attachments: tags(["topic:shipping", `batch:${token}`]),
  });

  beforeAll(async () => {
    running = await startServer({ storages });
    expect((await postJson(`${running.url}/vcons`, [refund, shipping])).status).toBe(201);
  });
  afterAll(async () => running?.close());

  const search = async (query: [string, string][]) => {
    const response = await fetch(`${running.url}/vcons?${new URLSearchParams(query)}`);
    return { status: response.status, body: (await response.json()) as Page & { error?: { code: string } } };
  };
  const uuids = async (query: [string, string][]) => {
    const { status, body } = await search(query);
    expect(status).toBe(200);
    return body.items.map((v) => v.uuid);
  };

  it("finds by text in dialogs and analysis, ignoring case", async () => {
    expect(
      await uuids([
        ["text", "MONEY BACK"],
        ["tag", `batch:${token}`],
      ]),
    ).toEqual([refund.uuid]);
    expect(await uuids([["text", `about shipping ${token}`]])).toEqual([shipping.uuid]);
    expect(await uuids([["text", token]])).toEqual([refund.uuid, shipping.uuid]);
    expect(await uuids([["text", `${token} nowhere`]])).toEqual([]);
  });

  it("ANDs repeated tags, bare keys match any value, and combines with other filters", async () => {
    expect(await uuids([["tag", `batch:${token}`]])).toEqual([refund.uuid, shipping.uuid]);
    expect(
      await uuids([
        ["tag", `batch:${token}`],
        ["tag", "topic:shipping"],
      ]),
    ).toEqual([shipping.uuid]);
    expect(
      await uuids([
        ["tag", `batch:${token}`],
        ["tag", "urgent"],
      ]),
    ).toEqual([refund.uuid]);
    expect(
      await uuids([
        ["tag", `batch:${token}`],
        ["tag", "topic"],
      ]),
    ).toEqual([refund.uuid, shipping.uuid]);
    expect(
      await uuids([
        ["tag", `batch:${token}`],
        ["subject", "parcel"],
      ]),
    ).toEqual([shipping.uuid]);
    expect(
      await uuids([
        ["tag", `batch:${token}`],
        ["tag", "topic:other"],
      ]),
    ).toEqual([]);
    const page = await search([
      ["tag", `batch:${token}`],
      ["limit", "1"],
    ]);
    expect(page.body.items.map((v) => v.uuid)).toEqual([refund.uuid]);
    expect(
      await uuids([
        ["tag", `batch:${token}`],
        ["cursor", page.body.nextCursor!],
      ]),
    ).toEqual([shipping.uuid]);
  });

  it("refuses text shorter than 3 characters with 400", async () => {
    const { status, body } = await search([["text", "ab"]]);
    expect(status).toBe(400);
    expect(body.error?.code).toBe("VALIDATION");
  });
});

describe("GET /vcons?text= on an adapter without text search (written before it existed)", () => {
  let running: RunningServer;

  beforeAll(async () => {
    const registry = new AdapterRegistry().register(partySearchAdapter);
    running = await startServer(
      { storages: { primary: { adapter: partySearchAdapter.name } } },
      { registry },
    );
    expect((await postJson(`${running.url}/vcons`, makeVcon({ subject: "plain search works" }))).status).toBe(
      201,
    );
  });
  afterAll(async () => running?.close());

  it("answers 501 NOT_SUPPORTED for text and tag, while other filters still work", async () => {
    for (const query of ["text=refund", "tag=topic:billing"]) {
      const response = await fetch(`${running.url}/vcons?${query}`);
      expect(response.status).toBe(501);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("NOT_SUPPORTED");
    }
    expect((await fetch(`${running.url}/vcons?subject=plain`)).status).toBe(200);
  });
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));
