/** How the facade's tests wait: for a call's StorageError, and on a promise the test settles itself. */
import { expect } from "vitest";
import { isStorageError, type StorageError } from "../../src/index.js";

/** The StorageError `action` rejects (or throws) with; fails the test when it succeeds or throws another. */
export async function rejection(action: () => unknown): Promise<StorageError> {
  let outcome: unknown;
  try {
    await action();
  } catch (error) {
    outcome = error;
  }
  if (outcome === undefined) return expect.fail("expected a rejection");
  expect(isStorageError(outcome), String(outcome)).toBe(true);
  return outcome as StorageError;
}

/** A promise and the functions that settle it, for holding an adapter's call until the test says so. */
export function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
