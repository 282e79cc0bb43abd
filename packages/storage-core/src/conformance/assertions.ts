/** Assertions shared by the groups. */
import { expect } from "vitest";
import { type ErrorCode, isStorageError, type StorageError } from "../errors.js";
import type { VconStorage } from "../storage.js";
import type { VconDocument } from "../types.js";

/** Asserts that the call rejects (or throws) a StorageError with `code`, and returns it. */
export async function expectStorageError(action: () => unknown, code: ErrorCode): Promise<StorageError> {
  let outcome: unknown;
  try {
    await action();
  } catch (error) {
    outcome = error;
  }
  if (outcome === undefined) expect.fail(`expected a ${code} error, but the call succeeded`);
  if (!isStorageError(outcome)) {
    expect.fail(`expected a StorageError with code ${code}, got ${describeError(outcome)}`);
  }
  expect(outcome.code, `error code (message: ${outcome.message})`).toBe(code);
  return outcome;
}

/** An error as a failure message shows it: `Name: message`. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * The rule for hostile and odd input: a document is either stored and read back identically,
 * or rejected with VALIDATION with nothing written. Returns which happened.
 */
export async function expectStoredIdenticallyOrRejected(
  storage: VconStorage,
  document: unknown,
  uuid: string,
  expected: unknown = document,
): Promise<"stored" | "rejected"> {
  let rejection: unknown;
  try {
    await storage.save(document as VconDocument);
  } catch (error) {
    rejection = error;
  }
  if (rejection !== undefined) {
    expect(isStorageError(rejection, "VALIDATION"), `rejected with ${describeError(rejection)}`).toBe(true);
    expect(await storage.get(uuid), "a rejected document must not be written").toBeNull();
    return "rejected";
  }
  expectSameJson(await storage.get(uuid), expected);
  return "stored";
}

/**
 * Deep equality as JSON sees it, key order aside. Unlike `toStrictEqual` it treats keys named
 * `constructor` or `__proto__` as plain data, and null-prototype objects like plain ones.
 */
export function expectSameJson(actual: unknown, expected: unknown, message?: string): void {
  if (canonicalJson(actual) === canonicalJson(expected)) return;
  expect(actual, message).toEqual(expected);
  expect.fail(`${message ?? "documents"} differ (as JSON)`);
}

/** JSON text with object keys sorted, so equal documents give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const keys = Object.keys(value).sort();
    const members = keys.map(
      (key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`,
    );
    return `{${members.join(",")}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}

/** Collects an async iterable into an array. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** The uuid of an unsigned document returned by the storage. */
export function uuidOfItem(document: VconDocument): string {
  return String((document as { uuid?: unknown }).uuid);
}

/** Every page of a search, following cursors; fails on a cursor loop instead of hanging. */
export async function searchAll(
  storage: VconStorage,
  query: Parameters<VconStorage["search"]>[0],
  maxPages = 1000,
): Promise<VconDocument[][]> {
  const pages: VconDocument[][] = [];
  let cursor: string | null = null;
  do {
    const page = await storage.search({ ...query, cursor });
    pages.push(page.items);
    if (page.nextCursor !== null) expect(page.nextCursor, "a cursor must move forward").not.toBe(cursor);
    cursor = page.nextCursor;
    if (pages.length > maxPages) expect.fail(`search paging did not end after ${maxPages} pages`);
  } while (cursor !== null);
  return pages;
}
