/**
 * The conformance suite every adapter passes: `describeConformance("my-adapter", { create })` in one
 * vitest file. Imports vitest (a peer dependency) and fast-check, so it lives on its own subpath.
 * Return the bare adapter from `create` so the raw-adapter checks run too (own save errors, closed
 * adapter, export abort), and give `failWrites`/`restoreWrites` and `openResources` where the backend
 * allows: without them those checks skip, each with its reason in the report.
 */
import { afterAll, beforeAll, describe } from "vitest";
import { type ConformanceOptions, SuiteContext } from "./context.js";
import { backendFailuresGroup } from "./groups/backend-failures.js";
import { basicsGroup } from "./groups/basics.js";
import { changeClaimsGroup } from "./groups/change-claims.js";
import { changesGroup } from "./groups/changes.js";
import { closeGroup } from "./groups/close.js";
import { concurrencyGroup } from "./groups/concurrency.js";
import { datesGroup } from "./groups/dates.js";
import { deleteGroup, existsGroup } from "./groups/delete-exists.js";
import { exportGroup } from "./groups/export.js";
import { fidelityGroup } from "./groups/fidelity.js";
import { hostileGroup } from "./groups/hostile.js";
import { propertyGroup } from "./groups/property.js";
import { saveManyGroup } from "./groups/save-many.js";
import { searchGroup } from "./groups/search.js";
import { searchSemanticsGroup } from "./groups/search-semantics.js";
import { textTagsGroup } from "./groups/text-tags.js";
import { unicodeLargeGroup } from "./groups/unicode-large.js";
import { upsertGroup } from "./groups/upsert.js";

export type { ConformanceOptions } from "./context.js";
export { isVconStorage } from "./context.js";
export * from "./fixtures.js";
export { expectNoMatchAcrossValues, expectReferenceAnswers, SEARCH_TRAPS } from "./search-traps.js";

/** The groups in run order; each reads the declared capabilities to run or skip. */
const GROUPS = [
  basicsGroup,
  fidelityGroup,
  upsertGroup,
  concurrencyGroup,
  unicodeLargeGroup,
  hostileGroup,
  deleteGroup,
  existsGroup,
  saveManyGroup,
  backendFailuresGroup,
  searchGroup,
  searchSemanticsGroup,
  datesGroup,
  textTagsGroup,
  exportGroup,
  changesGroup,
  changeClaimsGroup,
  closeGroup,
  propertyGroup,
];

/** Registers the whole suite under `label`. Call it at the top level of a vitest test file. */
export function describeConformance(label: string, options: ConformanceOptions): void {
  if (typeof options?.create !== "function") {
    throw new TypeError("describeConformance needs options.create: a factory for a fresh adapter or storage");
  }
  const suite = new SuiteContext(options);
  describe(`vCon storage conformance: ${label}`, () => {
    beforeAll(async () => {
      // Here, not at collection: vitest collects the nested group blocks after this callback returns.
      suite.checkSkipKeys();
      await options.setup?.();
      // Started here so it is ready; a failure is not thrown here but by every test, with its message
      // ("create() did not resolve within 30 s"), instead of a hook timeout and every test skipped.
      await suite.probe().catch(() => {});
    }, suite.options.hookTimeoutMs);
    afterAll(async () => {
      await options.teardown?.();
    }, suite.options.hookTimeoutMs);
    for (const registerGroup of GROUPS) registerGroup(suite);
  });
}
