import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { validate } from "@readme/openapi-parser";
import openapiTS, { astToString } from "openapi-typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operations } from "../src/http/openapi/operations.js";
import { searchQuery } from "../src/http/schemas.js";
import { type RunningServer, startServer } from "./helpers.js";

const API_KEY = "openapi-test-key-0123456789abcdef";
const CLIENT_DIR = join(import.meta.dirname, "openapi-client");

interface Document {
  openapi: string;
  servers: { url: string }[];
  security: Record<string, string[]>[];
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
  paths: Record<string, Record<string, OperationObject>>;
}
interface OperationObject {
  operationId: string;
  tags: string[];
  security?: unknown[];
  parameters?: { name: string; schema: { format?: string; type?: string } }[];
  responses: Record<string, { $ref?: string; headers?: Record<string, unknown> }>;
  "x-undocumented"?: boolean;
}

describe("OpenAPI document", () => {
  let running: RunningServer;
  let document: Document;

  beforeAll(async () => {
    running = await startServer({
      storages: { primary: { adapter: "memory" } },
      server: { auth: { keys: [{ name: "tests", key: API_KEY, scopes: ["read", "write", "delete"] }] } },
    });
    const response = await fetch(`${running.url}/openapi.json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as Document;
  });
  afterAll(async () => running?.close());

  const everyOperation = () =>
    Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        key: `${method.toUpperCase()} ${path}`,
        operation,
      })),
    );

  it("is public, like the reference page, while the API needs a key", async () => {
    expect((await fetch(`${running.url}/docs`)).status).toBe(200);
    expect((await fetch(`${running.url}/docs/json`)).status).toBe(200);
    expect((await fetch(`${running.url}/vcons`)).status).toBe(401);
  });

  it("is accepted by a real OpenAPI 3.1 validator", async () => {
    expect(document.openapi).toBe("3.1.0");
    const result = await validate(structuredClone(document) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("describes every registered route (and nothing else) with an operationId and a tag", () => {
    const documented = everyOperation();
    expect(documented.filter(({ operation }) => operation["x-undocumented"]).map((o) => o.key)).toEqual([]);
    expect(documented.map((o) => o.key).sort()).toEqual(Object.keys(operations).sort());
    const ids = documented.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { operation } of documented) expect(operation.tags.length).toBeGreaterThan(0);
  });

  it("lists the statuses each route can answer, with their headers", () => {
    const statuses = (key: string) => Object.keys(operations[key]!.responses).sort();
    for (const key of ["POST /vcons", "PUT /vcons/{uuid}", "POST /vcon"]) {
      expect(statuses(key)).toEqual(
        expect.arrayContaining(["400", "401", "403", "409", "413", "415", "503"]),
      );
    }
    for (const key of [
      "GET /vcons",
      "GET /vcons/{uuid}",
      "DELETE /vcons/{uuid}",
      "GET /vcon",
      "GET /vcons/search",
    ]) {
      expect(statuses(key)).toEqual(expect.arrayContaining(["400", "401", "403", "500", "503"]));
    }
    const read = document.paths["/vcons/{uuid}"]!.get!.responses["200"]!;
    expect(Object.keys(read.headers ?? {}).sort()).toEqual([
      "vcon-storage",
      "vcon-storage-failures",
      "x-request-id",
    ]);
    expect(document.paths["/vcons"]!.post!.responses["503"]).toEqual({
      $ref: "#/components/responses/Unavailable",
    });
    const raw = JSON.stringify(document);
    expect(raw).toContain('"retry-after":{"$ref":"#/components/headers/RetryAfter"}');
    expect(raw).toContain('"www-authenticate":{"$ref":"#/components/headers/WwwAuthenticate"}');
  });

  it("has component schemas, the API-key schemes, servers and date-time formats", () => {
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(["Vcon", "UnsignedVcon", "SearchPage", "Error", "StorageOutcome"]),
    );
    const vcon = document.components.schemas.UnsignedVcon as {
      additionalProperties: boolean;
      properties: Record<string, { format?: string }>;
    };
    expect(vcon.additionalProperties).toBe(true);
    expect(vcon.properties.created_at?.format).toBe("date-time");
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual([
      "apiKeyHeader",
      "bearerAuth",
      "conserverToken",
    ]);
    expect(document.security.length).toBe(3);
    expect(document.paths["/livez"]!.get!.security).toEqual([]);
    expect(document.servers).toEqual([expect.objectContaining({ url: "/" })]);
    const parameters = document.paths["/vcons"]!.get!.parameters!;
    // The route's validation schema and the document agree on every query parameter.
    expect(parameters.map((p) => p.name)).toEqual(Object.keys(searchQuery.properties));
    expect(parameters.find((p) => p.name === "since")!.schema.format).toBe("date-time");
    expect(parameters.find((p) => p.name === "tag")!.schema.type).toBe("array");
  });

  it("generates a TypeScript client that type-checks and calls every operation against the service", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vcon-openapi-client-"));
    try {
      const generated = astToString(await openapiTS(structuredClone(document) as never));
      writeFileSync(join(dir, "generated.ts"), generated);
      copyFileSync(join(CLIENT_DIR, "client-program.ts"), join(dir, "client-program.ts"));
      copyFileSync(join(CLIENT_DIR, "tsconfig.json"), join(dir, "tsconfig.json"));
      writeFileSync(join(dir, "package.json"), '{ "type": "module" }');
      const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
      const checked = await promisify(execFile)(process.execPath, [tsc, "-p", dir]).catch(
        (error: { stdout: string }) => ({ stdout: error.stdout, failed: true }),
      );
      expect(checked.stdout).toBe("");

      const program = (await import(join(dir, "client-program.ts"))) as {
        callEveryOperation(options: { baseUrl: string; apiKey: string }): Promise<string[]>;
      };
      const called = await program.callEveryOperation({ baseUrl: running.url, apiKey: API_KEY });
      expect(called.sort()).toEqual(
        everyOperation()
          .map(({ operation }) => operation.operationId)
          .sort(),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
