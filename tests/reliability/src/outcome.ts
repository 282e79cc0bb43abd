import { isStorageError, type VconStorage } from "@vcon/storage-core";
import { expect } from "vitest";

/**
 * The rule for odd input: either the document is stored and read back identically (as JSON says it
 * is), or the save rejects with VALIDATION and nothing was written. Anything else fails the test.
 * Returns which of the two happened.
 */
export async function storedIdenticallyOrRejected(
  storage: VconStorage,
  input: Record<string, unknown> | string,
  uuid: string,
): Promise<"stored" | "rejected"> {
  let failure: unknown;
  try {
    await storage.save(input as never);
  } catch (error) {
    failure = error;
  }
  if (failure !== undefined) {
    if (!isStorageError(failure, "VALIDATION")) throw failure;
    expect(await storage.get(uuid)).toBeNull();
    return "rejected";
  }
  const expected = JSON.parse(typeof input === "string" ? input : JSON.stringify(input));
  expect(await storage.get(uuid)).toEqual(expected);
  return "stored";
}

/** Asserts the call rejects with the given StorageError code; returns the error. */
export async function rejectsWith(code: string, call: () => Promise<unknown>): Promise<Error> {
  let failure: unknown;
  try {
    await call();
  } catch (error) {
    failure = error;
  }
  expect(failure, "expected a rejection").toBeDefined();
  if (!isStorageError(failure)) throw failure;
  expect(failure.code, failure.message).toBe(code);
  return failure;
}
