/**
 * The conformance suite every adapter passes: `describeConformance("my-adapter", { create })` in one
 * vitest file. Imports vitest (a peer dependency) and fast-check, so it lives on its own subpath.
 */
import { afterAll, beforeAll, describe } from "vitest";
import { type ConformanceOptions, SuiteContext } from "./context.js";
import { basicsGroup } from "./groups/basics.js";
import { closeGroup } from "./groups/close.js";
import { concurrencyGroup } from "./groups/concurrency.js";
import { deleteGroup, existsGroup } from "./groups/delete-exists.js";
import { exportGroup } from "./groups/export.js";
import { hostileGroup } from "./groups/hostile.js";
import { propertyGroup } from "./groups/property.js";
import { saveManyGroup } from "./groups/save-many.js";
import { searchGroup } from "./groups/search.js";
import { textTagsGroup } from "./groups/text-tags.js";
import { unicodeLargeGroup } from "./groups/unicode-large.js";
import { upsertGroup } from "./groups/upsert.js";

export type { ConformanceOptions } from "./context.js";
export { isVconStorage } from "./context.js";
export * from "./fixtures.js";

/** The groups in run order; each reads the declared capabilities to run or skip. */
const GROUPS = [
  basicsGroup,
  upsertGroup,
  concurrencyGroup,
  unicodeLargeGroup,
  hostileGroup,
  deleteGroup,
  existsGroup,
  saveManyGroup,
  searchGroup,
  textTagsGroup,
  exportGroup,
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
      // Fails early and clearly when the factory itself is broken.
      await suite.probe();
    }, suite.options.hookTimeoutMs);
    afterAll(async () => {
      await options.teardown?.();
    }, suite.options.hookTimeoutMs);
    for (const registerGroup of GROUPS) registerGroup(suite);
  });
}
