/**
 * What JSON can carry faithfully, checked before anything is stored: one walk that reports cycles,
 * BigInt, functions, symbols, undefined, non-finite numbers, class instances and deep nesting, each at
 * its path in core's one path syntax (`$.parties[0].tel`, `$["odd key"]`).
 */
import type { ValidationIssue } from "./errors.js";

/**
 * Walks a value and reports everything JSON cannot carry faithfully: cycles, BigInt, functions,
 * symbols, undefined, non-finite numbers, class instances, and nesting deeper than `maxDepth`.
 * Stops after 20 issues so a hostile document cannot make the report huge.
 *
 * Hot path of every save: strings, booleans and null are checked in place without a stack entry,
 * each object or array gets one frame (reused as its own exit marker), and a path string is built
 * only for an issue, from the chain of parent frames.
 */
export function checkJsonValue(root: unknown, maxDepth: number): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const rootProblem = problemOf(root);
  if (rootProblem !== null) {
    if (rootProblem !== CONTAINER) issues.push({ path: "$", message: rootProblem });
    else checkContainer(root as object, maxDepth, issues);
  }
  return issues;
}

/** What `problemOf` returns for an object or array: walk it. */
const CONTAINER = "";

/** null when the value is a valid JSON leaf, CONTAINER for an object or array to walk, else the issue. */
function problemOf(value: unknown): string | null {
  switch (typeof value) {
    case "string":
    case "boolean":
      return null;
    case "number":
      return Number.isFinite(value) ? null : `${value} is not a JSON number`;
    case "object":
      return value === null ? null : CONTAINER;
    default:
      return `a ${typeof value} cannot be stored as JSON`;
  }
}

interface Frame {
  value: object;
  parent: Frame | null;
  key: string | number;
  depth: number;
  /** Set once the frame's children are on the stack: the next pop takes it off the ancestors. */
  exit: boolean;
}

function pathOf(frame: Frame | null, key?: string | number): string {
  const keys: Array<string | number> = key === undefined ? [] : [key];
  for (let f = frame; f !== null && f.parent !== null; f = f.parent) keys.push(f.key);
  let path = "$";
  for (let i = keys.length - 1; i >= 0; i--) path = childPath(path, keys[i]!);
  return path;
}

function checkContainer(root: object, maxDepth: number, issues: ValidationIssue[]): void {
  const ancestors = new Set<object>();
  const stack: Frame[] = [{ value: root, parent: null, key: "$", depth: 0, exit: false }];
  const leaf = (value: unknown, parent: Frame, key: string | number): void => {
    const problem = problemOf(value);
    if (problem === null) return;
    if (problem === CONTAINER) {
      stack.push({ value: value as object, parent, key, depth: parent.depth + 1, exit: false });
    } else if (issues.length < 20) {
      issues.push({ path: pathOf(parent, key), message: problem });
    }
  };
  while (stack.length > 0 && issues.length < 20) {
    const frame = stack.pop()!;
    const object = frame.value;
    if (frame.exit) {
      ancestors.delete(object);
      continue;
    }
    if (ancestors.has(object)) {
      issues.push({ path: pathOf(frame), message: "circular reference" });
      continue;
    }
    if (frame.depth >= maxDepth) {
      issues.push({ path: pathOf(frame), message: `nested deeper than the limit of ${maxDepth} levels` });
      continue;
    }
    const array = Array.isArray(object);
    if (!array && !isPlainObject(object)) {
      const name = (object as { constructor?: { name?: string } }).constructor?.name ?? "object";
      issues.push({
        path: pathOf(frame),
        message: `a ${name} is not plain JSON; convert it first (e.g. a Date to an ISO string)`,
      });
      continue;
    }
    ancestors.add(object);
    frame.exit = true;
    stack.push(frame);
    if (array) {
      const items = object as unknown[];
      for (let i = items.length - 1; i >= 0; i--) leaf(items[i], frame, i);
    } else {
      const record = object as Record<string, unknown>;
      const keys = Object.keys(record);
      for (let i = keys.length - 1; i >= 0; i--) leaf(record[keys[i]!], frame, keys[i]!);
    }
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `$.a.b`, or `$["odd key"]` where the key is not an identifier. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}
