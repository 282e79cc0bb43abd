import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AdapterRegistry, isStorageError } from "@vcon/storage-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer, configFrom } from "../src/index.js";
import { checkStorages } from "../src/storages/check.js";

const SECRET = "hunter2-load-secret";

/**
 * Adapter packages installed in a folder of their own, as a broken deployment has them: the postgres
 * package without its build (dist/ missing) and a package that throws as it is imported.
 */
function installBrokenAdapters(root: string): void {
  const unbuilt = join(root, "node_modules", "@vcon", "storage-postgres");
  mkdirSync(unbuilt, { recursive: true });
  writeFileSync(
    join(unbuilt, "package.json"),
    JSON.stringify({
      name: "@vcon/storage-postgres",
      type: "module",
      exports: { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } },
    }),
  );
  const throwing = join(root, "node_modules", "acme-vcon-adapter");
  mkdirSync(throwing, { recursive: true });
  writeFileSync(
    join(throwing, "package.json"),
    JSON.stringify({ name: "acme-vcon-adapter", type: "module", exports: "./index.js" }),
  );
  writeFileSync(join(throwing, "index.js"), 'throw new Error("acme adapter failed to initialise");\n');
}

describe("an adapter that cannot be loaded", () => {
  let root: string;
  let registry: AdapterRegistry;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "vcon-adapter-load-"));
    installBrokenAdapters(root);
    registry = new AdapterRegistry({ resolveFrom: root });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const postgresConfig = () =>
    configFrom(
      {
        storages: { primary: { adapter: "postgres", options: { url: `postgres://app:${SECRET}@db/vcon` } } },
      },
      "test",
    ).config;

  it("is reported with the registry's reason, not as an unknown name with itself as the suggestion", async () => {
    const failure = await checkStorages(postgresConfig(), registry).catch((error: unknown) => error);
    expect(isStorageError(failure, "VALIDATION")).toBe(true);
    if (!isStorageError(failure, "VALIDATION")) return;
    expect(failure.issues).toEqual([
      {
        path: "storages.primary.adapter",
        message: expect.stringMatching(
          /^Adapter "postgres" is not installed: install @vcon\/storage-postgres/,
        ),
      },
    ]);
    expect(failure.message).not.toContain("did you mean");
    expect(failure.message).not.toContain("unknown adapter");
    expect(failure.message).not.toContain(SECRET);
  });

  it("stops the service before anything is opened, with the same reason", async () => {
    const failure = await buildServer(
      {
        server: { logLevel: "silent", port: 0 },
        storages: { primary: { adapter: "postgres", options: { url: `postgres://app:${SECRET}@db/vcon` } } },
      },
      { registry },
    ).catch((error: unknown) => error);
    expect(isStorageError(failure, "VALIDATION")).toBe(true);
    expect((failure as Error).message).toMatch(
      /^Invalid storage configuration: storages\.primary\.adapter: Adapter "postgres" is not installed/,
    );
    expect((failure as Error).message).not.toContain(SECRET);
  });

  it("that throws as it is imported is an INTERNAL error naming the storage, its cause kept", async () => {
    const config = configFrom(
      { storages: { primary: { adapter: "acme-vcon-adapter", options: { token: SECRET } } } },
      "test",
    ).config;
    const failure = await checkStorages(config, registry).catch((error: unknown) => error);
    expect(isStorageError(failure, "INTERNAL")).toBe(true);
    expect((failure as Error).message).toMatch(
      /^Storage "primary" \(adapter "acme-vcon-adapter"\) could not be loaded: Loading adapter "acme-vcon-adapter" from acme-vcon-adapter failed/,
    );
    expect((failure as Error).message).not.toContain(SECRET);
    expect(String((failure as { cause?: { cause?: unknown } }).cause?.cause)).toContain(
      "acme adapter failed to initialise",
    );
  });

  it("a misspelt name still gets the nearest known one", async () => {
    const config = configFrom({ storages: { primary: { adapter: "postgress" } } }, "test").config;
    await expect(checkStorages(config, registry)).rejects.toMatchObject({
      issues: [
        {
          path: "storages.primary.adapter",
          message: expect.stringMatching(/^unknown adapter "postgress"; did you mean "postgres"\? \(known: /),
        },
      ],
    });
  });
});
