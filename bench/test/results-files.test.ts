import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { resultsName, writeResults } from "../src/report.js";
import type { BenchReport } from "../src/results.js";

const EVERY = ["memory", "postgres", "pglite", "redis", "service"];

function emptyReport(scale: string): BenchReport {
  return {
    startedAt: "2026-01-01T00:00:00.000Z",
    finishedAt: "",
    scale,
    machine: {},
    targets: [],
    results: [],
    plans: [],
    checks: [],
  };
}

describe("where a bench run writes its results", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("a run of every target is latest; a run limited by BENCH_ADAPTERS is partial-<names>", () => {
    expect(resultsName(EVERY, EVERY)).toBe("latest");
    expect(resultsName([...EVERY].reverse(), EVERY)).toBe("latest");
    expect(resultsName(["postgres"], EVERY)).toBe("partial-postgres");
    expect(resultsName(["memory", "postgres"], EVERY)).toBe("partial-memory-postgres");
    // Whatever the variable holds, the name stays one plain file name.
    expect(resultsName(["../x", "Redis Cluster"], EVERY)).toBe("partial-_x-redis_cluster");
    expect(resultsName([], EVERY)).toBe("partial-none");
  });

  it("a partial run leaves latest.md and latest.json as they were", () => {
    const outDir = mkdtempSync(join(tmpdir(), "vcon-bench-results-"));
    dirs.push(outDir);
    writeResults(emptyReport("full"), outDir, resultsName(EVERY, EVERY));
    const before = readFileSync(join(outDir, "latest.json"), "utf8");
    const files = writeResults(emptyReport("quick"), outDir, resultsName(["postgres"], EVERY));
    expect(files).toEqual({
      json: join(outDir, "partial-postgres.json"),
      md: join(outDir, "partial-postgres.md"),
    });
    expect(readFileSync(join(outDir, "latest.json"), "utf8")).toBe(before);
    expect((JSON.parse(readFileSync(files.json, "utf8")) as BenchReport).scale).toBe("quick");
    expect(readFileSync(files.md, "utf8")).toContain("scale `quick`");
    expect(readdirSync(outDir).sort()).toEqual([
      "latest.json",
      "latest.md",
      "partial-postgres.json",
      "partial-postgres.md",
    ]);
    // A later partial run of the same targets replaces its own files only.
    writeFileSync(join(outDir, "latest.md"), "kept\n");
    writeResults(emptyReport("smoke"), outDir, resultsName(["postgres"], EVERY));
    expect(readFileSync(join(outDir, "latest.md"), "utf8")).toBe("kept\n");
    expect(readFileSync(files.md, "utf8")).toContain("scale `smoke`");
  });
});
