/**
 * The suite must catch broken adapters, not only pass good ones: runs it (through vitest's Node API)
 * against each deliberately broken adapter in ./broken and checks that the right tests fail,
 * and against the reference adapter as a control that everything passes.
 */
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { startVitest } from "vitest/node";

const packageRoot = fileURLToPath(new URL("..", import.meta.url));

/** Per fixture: the tests (by title) that must fail. Others may fail too. */
const EXPECTED_FAILURES: Record<string, string[]> = {
  "undefined-for-missing": ["get of a missing uuid resolves to null"],
  "append-instead-of-upsert": [
    "saving the same uuid again replaces the document, not merges it",
    "an upsert leaves one document: search finds it once",
  ],
  "returns-by-reference": [
    "mutating a document returned by get changes nothing stored",
    "two reads return distinct objects",
  ],
  "ignores-close": [
    "every operation after close rejects with CLOSED",
    "close resolves, a second close resolves too, and closed is true",
  ],
  "search-over-matching": ["tel matches exactly: no prefix, suffix or substring matches"],
  "pagination-skips": ["pagination never skips or repeats, including across equal created_at"],
  "save-many-not-atomic": ["a chunk lands whole or not at all when a write fails mid-chunk"],
  "like-wildcards": ["SQL, LIKE, regex and JSON path syntax in values is matched literally"],
  "unordered-export": ["exports every document of a time range, whole, in (created_at, uuid) order"],
  "fake-delete": ["delete removes the document: get then resolves to null"],
  "drops-unknown-fields": ["keeps unknown fields at every level"],
};

type Outcome = {
  failed: Set<string>;
  passed: number;
  total: number;
  /** Skipped tests by title, with the note the report prints. */
  skipped: Map<string, string | undefined>;
  /** Error messages of the failed tests and of the file itself. */
  errors: string[];
};
const outcomes = new Map<string, Outcome>();

beforeAll(async () => {
  const exitCode = process.exitCode;
  const vitest = await startVitest("test", [], {
    root: packageRoot,
    config: false,
    include: ["test/broken/fixtures/*.suite.ts"],
    watch: false,
    reporters: [{}],
    // The suites' own failures are the data here, not an error of this run.
    passWithNoTests: false,
  });
  try {
    for (const module of vitest.state.getTestModules()) {
      const name = module.moduleId
        .split("/")
        .at(-1)!
        .replace(/\.suite\.ts$/, "");
      const outcome: Outcome = {
        failed: new Set(),
        passed: 0,
        total: 0,
        skipped: new Map(),
        errors: module.errors().map((error) => error.message),
      };
      for (const suite of module.children.allSuites()) {
        outcome.errors.push(...suite.errors().map((error) => error.message));
      }
      for (const test of module.children.allTests()) {
        outcome.total++;
        const result = test.result();
        if (result.state === "failed") {
          outcome.failed.add(test.name);
          outcome.errors.push(...result.errors.map((error) => error.message));
        }
        if (result.state === "passed") outcome.passed++;
        if (result.state === "skipped") outcome.skipped.set(test.name, result.note);
      }
      outcomes.set(name, outcome);
    }
  } finally {
    await vitest.close();
    process.exitCode = exitCode;
  }
}, 300_000);

describe("the conformance suite catches broken adapters", () => {
  it("passes the reference adapter (the control)", () => {
    const reference = outcomes.get("reference");
    expect(reference, "the reference suite ran").toBeDefined();
    expect([...reference!.failed]).toStrictEqual([]);
    expect(reference!.passed).toBeGreaterThan(60);
  });

  it("runs a VconStorage factory, printing the reason of each skipped test", () => {
    const outcome = outcomes.get("skips")!;
    expect([...outcome.failed]).toStrictEqual([]);
    expect(outcome.skipped.get("two reads return distinct objects")).toBe(
      "skipped by the adapter: demonstrating skip",
    );
    expect(outcome.skipped.get("a chunk lands whole or not at all when a write fails mid-chunk")).toMatch(
      /returns a VconStorage/,
    );
    expect(
      outcome.skipped.get("search rejects with NOT_SUPPORTED when the capability is not declared"),
    ).toMatch(/declares search/);
  });

  it("refuses a skip key that names no test", () => {
    const outcome = outcomes.get("skip-typo")!;
    expect(outcome.total).toBeGreaterThan(60);
    expect(outcome.passed).toBe(0);
    expect(outcome.errors.join("\n")).toContain('"skip" names tests that do not exist: no such test');
  });

  for (const [fixture, mustFail] of Object.entries(EXPECTED_FAILURES)) {
    it(`fails the "${fixture}" adapter`, () => {
      const outcome = outcomes.get(fixture);
      expect(outcome, `the ${fixture} suite ran`).toBeDefined();
      for (const title of mustFail) expect([...outcome!.failed], fixture).toContain(title);
    });
  }
});
