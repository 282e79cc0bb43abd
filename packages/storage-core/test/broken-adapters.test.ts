/**
 * The suite must catch broken adapters, not only pass good ones: runs it (through vitest's Node API)
 * against each deliberately broken adapter of ./broken/catalog.ts and checks that the tests named
 * there fail (with the hint the author needs), and against the reference adapter as a control that
 * everything passes.
 */
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { startVitest } from "vitest/node";
import { SuiteContext } from "../src/conformance/context.js";
import { BROKEN } from "./broken/catalog.js";

const packageRoot = fileURLToPath(new URL("..", import.meta.url));
const SUITE_PREFIX = "vCon storage conformance: ";

type Outcome = {
  /** Failed tests ("group > title") with their error messages. */
  failed: Map<string, string[]>;
  passed: Set<string>;
  total: number;
  /** Skipped tests ("group > title"), with the note the report prints. */
  skipped: Map<string, string | undefined>;
  /** Errors of the suite blocks themselves (a bad option, a failing hook). */
  errors: string[];
};
/** By suite label (the first argument of describeConformance). */
const outcomes = new Map<string, Outcome>();

function outcomeOf(label: string): Outcome {
  let outcome = outcomes.get(label);
  if (!outcome) {
    outcome = { failed: new Map(), passed: new Set(), total: 0, skipped: new Map(), errors: [] };
    outcomes.set(label, outcome);
  }
  return outcome;
}

beforeAll(async () => {
  const exitCode = process.exitCode;
  const vitest = await startVitest("test", [], {
    root: packageRoot,
    config: false,
    include: ["test/broken/fixtures/*.suite.ts"],
    watch: false,
    reporters: [{}],
    maxWorkers: 2,
    // The suites' own failures are the data here, not an error of this run.
    passWithNoTests: false,
  });
  try {
    for (const module of vitest.state.getTestModules()) {
      const moduleErrors = module.errors().map((error) => error.message);
      for (const suite of module.children.allSuites()) {
        if (suite.parent.type === "module" && suite.name.startsWith(SUITE_PREFIX)) {
          const outcome = outcomeOf(suite.name.slice(SUITE_PREFIX.length));
          outcome.errors.push(...moduleErrors, ...suite.errors().map((error) => error.message));
          for (const child of suite.children.allSuites()) {
            outcome.errors.push(...child.errors().map((error) => error.message));
          }
        }
      }
      for (const test of module.children.allTests()) {
        const group = test.parent.type === "suite" ? test.parent : undefined;
        const top = group?.parent.type === "suite" ? group.parent : undefined;
        if (!group || !top?.name.startsWith(SUITE_PREFIX)) continue;
        const outcome = outcomeOf(top.name.slice(SUITE_PREFIX.length));
        const key = `${group.name} > ${test.name}`;
        outcome.total++;
        const result = test.result();
        if (result.state === "failed")
          outcome.failed.set(
            key,
            result.errors.map((error) => error.message),
          );
        if (result.state === "passed") outcome.passed.add(key);
        if (result.state === "skipped") outcome.skipped.set(key, result.note);
      }
    }
  } finally {
    await vitest.close();
    process.exitCode = exitCode;
  }
}, 300_000);

describe("the conformance suite catches broken adapters", () => {
  it("passes the reference adapter (the control), hooks and all", () => {
    const reference = outcomes.get("reference");
    expect(reference, "the reference suite ran").toBeDefined();
    expect([...reference!.failed.keys()]).toStrictEqual([]);
    expect(reference!.errors).toStrictEqual([]);
    expect(reference!.passed.size).toBeGreaterThan(100);
    // The change log runs whole on the reference (it declares changes and gives the failWrites hook).
    expect([...reference!.passed].filter((key) => key.startsWith("changes > "))).toHaveLength(12);
    expect([...reference!.passed].filter((key) => key.startsWith("change claims > "))).toHaveLength(5);
    // With every hook given, only the NOT_SUPPORTED checks and the maxDocumentBytes ones skip.
    for (const [key, note] of reference!.skipped) {
      expect(`${key}: ${note}`).toMatch(/NOT_SUPPORTED|declares no maxDocumentBytes/);
    }
  });

  it("passes the reference adapter that declares maxDocumentBytes, just inside and just outside", () => {
    const limited = outcomes.get("reference with maxDocumentBytes");
    expect(limited, "the limited reference suite ran").toBeDefined();
    expect([...limited!.failed.keys()]).toStrictEqual([]);
    expect([...limited!.passed]).toEqual(
      expect.arrayContaining([
        "unicode and large documents > a document of exactly the declared maxDocumentBytes round-trips",
        "unicode and large documents > a document one byte over the declared maxDocumentBytes is refused with VALIDATION, nothing written",
      ]),
    );
  });

  for (const label of ["reference with maxBatchSize 2", "reference with maxBatchSize 1"]) {
    it(`passes the ${label}, chunk by chunk`, () => {
      const outcome = outcomes.get(label);
      expect(outcome, `the ${label} suite ran`).toBeDefined();
      expect([...outcome!.failed.keys()]).toStrictEqual([]);
      expect([...outcome!.passed]).toEqual(
        expect.arrayContaining([
          "saveMany > chunkSize splits the batch into committed chunks",
          "backend failures > a chunk lands whole or not at all when the backend refuses a write mid-chunk",
        ]),
      );
    });
  }

  it("runs a VconStorage factory, printing the reason of each skipped test", () => {
    const outcome = outcomes.get("skips")!;
    expect([...outcome.failed.keys()]).toStrictEqual([]);
    expect(outcome.skipped.get("basics > two reads return distinct objects")).toBe(
      "skipped by the adapter: demonstrating skip",
    );
    expect(
      outcome.skipped.get("saveMany > a chunk lands whole or not at all when a write fails mid-chunk"),
    ).toMatch(/returns a VconStorage/);
    expect(
      outcome.skipped.get(
        "backend failures > a chunk lands whole or not at all when the backend refuses a write mid-chunk",
      ),
    ).toMatch(/no failWrites\/restoreWrites hook/);
    expect(
      outcome.skipped.get("search > search rejects with NOT_SUPPORTED when the capability is not declared"),
    ).toMatch(/declares search/);
  });

  it("refuses a skip key that names no test", () => {
    const outcome = outcomes.get("skip-typo")!;
    expect(outcome.total).toBeGreaterThan(100);
    expect(outcome.passed.size).toBe(0);
    expect(outcome.errors.join("\n")).toContain('"skip" names tests that do not exist: no such test');
  });

  it("refuses failWrites without restoreWrites (and the reverse)", () => {
    const create = () => {
      throw new Error("not called");
    };
    expect(() => new SuiteContext({ create, failWrites: () => {} })).toThrow(
      /both failWrites and restoreWrites/,
    );
    expect(() => new SuiteContext({ create, restoreWrites: () => {} })).toThrow(
      /both failWrites and restoreWrites/,
    );
  });

  it(`has at least forty broken adapters (${Object.keys(BROKEN).length})`, () => {
    expect(Object.keys(BROKEN).length).toBeGreaterThanOrEqual(40);
  });

  for (const [fixture, { breaks, mustFail, mustPass = [], message }] of Object.entries(BROKEN)) {
    it(`fails the "${fixture}" adapter (${breaks}) in the expected tests`, () => {
      const outcome = outcomes.get(fixture);
      expect(outcome, `the ${fixture} suite ran`).toBeDefined();
      const known = new Set([...outcome!.failed.keys(), ...outcome!.passed, ...outcome!.skipped.keys()]);
      for (const key of [...mustFail, ...mustPass])
        expect(known, `a test named "${key}" exists`).toContain(key);
      for (const key of mustFail) expect([...outcome!.failed.keys()], fixture).toContain(key);
      for (const key of mustPass) expect([...outcome!.passed], `${fixture} still passes`).toContain(key);
      if (message !== undefined) {
        expect(outcome!.failed.get(mustFail[0]!)!.join("\n"), "the failure tells the author why").toContain(
          message,
        );
      }
    });
  }
});
