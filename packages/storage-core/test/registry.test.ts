import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { defineAdapter, parseOptions, parseOptionsSync } from "../src/adapter-kit.js";
import {
  AdapterRegistry,
  createStorage,
  isStorageError,
  registerAdapter,
  type StorageError,
} from "../src/index.js";
import { ReferenceAdapter } from "./broken/reference-adapter.js";

const run = promisify(execFile);
const builtCore = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), "../dist/index.js")).href;

const UUID = "0190f1c2-8a3b-7cde-9f01-23456789abcd";

/** A plain-JS adapter package, as a third party would publish it (no build step, no dependencies). */
const PACKAGE_SOURCE = `
const docs = new Map();
export const adapter = {
  name: "NAME",
  options: {
    "~standard": {
      version: 1,
      vendor: "fixture",
      validate: (value) =>
        typeof value.dir === "string"
          ? { value }
          : { issues: [{ message: "expected a string", path: [{ key: "dir" }] }] },
    },
  },
  create: (options, context) => ({
    name: "NAME",
    capabilities: {},
    context,
    options,
    async save(v) { docs.set(v.uuid, v.json); },
    async get(uuid) { return docs.has(uuid) ? JSON.parse(docs.get(uuid)) : null; },
    async close() {},
  }),
};
`;

let root: string;

function fakePackage(name: string, source: string): void {
  const dir = join(root, "node_modules", ...name.split("/"));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, type: "module", exports: "./index.js" }));
  writeFileSync(join(dir, "index.js"), source);
}

async function rejection(
  promise: Promise<unknown>,
): Promise<StorageError & { issues: Array<{ path: string; message: string }> }> {
  const error = await promise.then(
    () => expect.fail("expected a rejection"),
    (e: unknown) => e,
  );
  expect(isStorageError(error)).toBe(true);
  return error as never;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "vcon-registry-"));
  fakePackage("vcon-adapter-jsonl", PACKAGE_SOURCE.replaceAll("NAME", "jsonl"));
  fakePackage("@vcon/storage-file", PACKAGE_SOURCE.replaceAll("NAME", "file"));
  fakePackage("not-an-adapter", "export const hello = 1;");
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const referenceDefinition = defineAdapter({
  name: "reference",
  options: z.object({ label: z.string().min(1), size: z.number().int().positive().optional() }).strict(),
  create: () => new ReferenceAdapter(),
});

describe("AdapterRegistry", () => {
  it("creates a storage from an explicit registration, with validated options", async () => {
    const registry = new AdapterRegistry({ resolveFrom: root }).register(referenceDefinition);
    const storage = await registry.create({ adapter: "reference", options: { label: "x" }, name: "primary" });
    expect(storage.name).toBe("primary");
    expect(storage.adapterName).toBe("reference");
    await storage.save({ uuid: UUID });
    expect(await storage.get(UUID)).toStrictEqual({ uuid: UUID });
    await storage.close();
  });

  it("names every bad option field", async () => {
    const registry = new AdapterRegistry().register(referenceDefinition);
    const error = await rejection(
      registry.create({ adapter: "reference", options: { label: "", size: -1, extra: 1 } }),
    );
    expect(error.code).toBe("VALIDATION");
    expect(error.issues.map((issue) => issue.path).sort()).toStrictEqual([
      "options",
      "options.label",
      "options.size",
    ]);
    expect(error.message).toContain('Invalid options for adapter "reference"');
  });

  it("lists the known names for an unknown one", async () => {
    const registry = new AdapterRegistry().register(referenceDefinition);
    const error = await rejection(registry.create({ adapter: "nosuch" }));
    expect(error.code).toBe("VALIDATION");
    for (const name of ["file", "memory", "mysql", "postgres", "redis", "reference", "sqlite"])
      expect(error.message).toContain(name);
    expect(registry.names()).toStrictEqual([
      "file",
      "memory",
      "mysql",
      "postgres",
      "redis",
      "reference",
      "sqlite",
    ]);
  });

  it("resolves a built-in name to its package", async () => {
    const registry = new AdapterRegistry({ resolveFrom: root });
    const storage = await registry.create({ adapter: "file", options: { dir: "/tmp/x" } });
    expect(storage.adapterName).toBe("file");
    await storage.close();
  });

  it("resolves a third-party adapter by its package name, validating with its own schema", async () => {
    const registry = new AdapterRegistry({ resolveFrom: root });
    const error = await rejection(registry.create({ adapter: "vcon-adapter-jsonl", options: {} }));
    expect(error.issues).toStrictEqual([{ path: "options.dir", message: "expected a string" }]);
    const storage = await registry.create({ adapter: "vcon-adapter-jsonl", options: { dir: "d" } });
    expect(storage.adapterName).toBe("jsonl");
    expect(registry.names()).toContain("jsonl");
    await storage.close();
  });

  it("says how to install a built-in that is missing", async () => {
    // pnpm puts every workspace package on NODE_PATH for scripts it runs, so "missing" is only real
    // in a plain Node process: run the built package there, resolving from the empty fixture root.
    const script = `
      const { AdapterRegistry } = await import(${JSON.stringify(builtCore)});
      const registry = new AdapterRegistry({ resolveFrom: ${JSON.stringify(root)} });
      await registry.create({ adapter: "redis" }).then(
        () => console.log(JSON.stringify({ created: true })),
        (e) => console.log(JSON.stringify({ code: e.code, message: e.message, issues: e.issues })),
      );`;
    const { NODE_PATH: _hoisted, ...env } = process.env;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { env });
    const outcome = JSON.parse(stdout);
    expect(outcome.code).toBe("VALIDATION");
    expect(outcome.message).toMatch(/^Adapter "redis" is not installed/);
    expect(outcome.issues[0].message).toContain("pnpm add @vcon/storage-redis");
  });

  it("refuses a package that exports no adapter", async () => {
    const registry = new AdapterRegistry({ resolveFrom: root });
    const error = await rejection(registry.resolve("not-an-adapter"));
    expect(error.message).toContain("is not a vCon storage adapter");
  });

  it("parseOptionsSync checks options like parseOptions, for constructors", async () => {
    const definition = { name: "reference", options: referenceDefinition.options };
    expect(parseOptionsSync(definition, { label: "x" })).toStrictEqual({ label: "x" });
    expect(() => parseOptionsSync(definition, { label: "x", size: -1 })).toThrow(
      expect.objectContaining({
        code: "VALIDATION",
        message: expect.stringMatching(/^Invalid options for adapter "reference"/),
        issues: [expect.objectContaining({ path: "options.size" })],
      }),
    );
    const asyncSchema = z.object({ label: z.string().refine(async () => true) });
    expect(() => parseOptionsSync({ name: "slow", options: asyncSchema }, { label: "x" })).toThrow(TypeError);
    expect(
      await parseOptions({ ...referenceDefinition, options: asyncSchema }, { label: "x" }),
    ).toStrictEqual({
      label: "x",
    });
  });

  it("refuses bad configuration and bad registrations", async () => {
    const registry = new AdapterRegistry();
    expect((await rejection(registry.create(null as never))).code).toBe("VALIDATION");
    expect((await rejection(registry.resolve(""))).code).toBe("VALIDATION");
    expect(() => registry.register({} as never)).toThrow(expect.objectContaining({ code: "VALIDATION" }));
  });

  it("passes the storage name and logger to create()", async () => {
    const seen: unknown[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error() {} };
    const registry = new AdapterRegistry().register(
      defineAdapter({
        name: "spy",
        options: z.object({}),
        create: (_options, context) => {
          seen.push(context);
          return new ReferenceAdapter();
        },
      }),
    );
    await (await registry.create({ adapter: "spy", name: "archive", logger })).close();
    expect(seen).toStrictEqual([{ name: "archive", logger }]);
  });
});

describe("createStorage and registerAdapter (the default registry)", () => {
  it("creates a storage from a registered adapter", async () => {
    registerAdapter(
      defineAdapter({
        name: "default-registry-test",
        options: z.object({}),
        create: () => new ReferenceAdapter(),
      }),
    );
    const storage = await createStorage({ adapter: "default-registry-test" });
    expect(storage.capabilities.search).toBe(true);
    await storage.close();
  });
});
