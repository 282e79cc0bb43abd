/** One classifier for what drivers throw; isStorageError narrows by code. */
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  ConflictError,
  isNetworkError,
  isStorageError,
  StorageError,
  toStorageError,
  UnavailableError,
  ValidationError,
  type ValidationIssue,
} from "../src/index.js";

const withCode = (code: string, message = `boom ${code}`) => Object.assign(new Error(message), { code });

describe("toStorageError", () => {
  it("maps every socket-level code to a retryable UNAVAILABLE naming the storage", () => {
    for (const code of [
      "ECONNREFUSED",
      "ECONNRESET",
      "ETIMEDOUT",
      "EPIPE",
      "EHOSTUNREACH",
      "ENETUNREACH",
      "ENOTFOUND",
      "EAI_AGAIN",
      "ECONNABORTED",
    ]) {
      const error = toStorageError(withCode(code), { storage: "primary" });
      expect([error.code, error.retryable], code).toStrictEqual(["UNAVAILABLE", true]);
      expect(error.message).toBe(`Storage "primary" is unreachable: boom ${code}`);
      expect((error.cause as { code?: string }).code).toBe(code);
    }
  });

  it("finds a network error wrapped in cause or in an AggregateError (Happy Eyeballs)", () => {
    const wrapped = new Error("Connection terminated", { cause: withCode("ECONNRESET") });
    const aggregate = new AggregateError([withCode("ECONNREFUSED"), withCode("ECONNREFUSED")], "");
    expect(isNetworkError(wrapped)).toBe(true);
    expect(isNetworkError(aggregate)).toBe(true);
    expect(toStorageError(aggregate, { storage: "s" }).code).toBe("UNAVAILABLE");
    expect(isNetworkError(withCode("ENOENT"))).toBe(false);
    expect(isNetworkError(null)).toBe(false);
    expect(isNetworkError("ECONNREFUSED")).toBe(false);
  });

  it("passes StorageErrors through unchanged and calls the adapter's own mapping first", () => {
    const conflict = new ConflictError("taken");
    expect(toStorageError(conflict, { storage: "s", map: () => new UnavailableError("no") })).toBe(conflict);
    const seen: unknown[] = [];
    const mapped = toStorageError(withCode("42501", "permission denied for table vcons"), {
      storage: "s",
      map: (error) => {
        seen.push(error);
        return (error as { code?: string }).code === "42501" ? new ValidationError("no rights") : undefined;
      },
    });
    expect(mapped.code).toBe("VALIDATION");
    expect(seen).toHaveLength(1);
    // The mapping declines: the network check and INTERNAL follow.
    const fallthrough = { storage: "s", map: () => undefined };
    expect(toStorageError(withCode("ETIMEDOUT"), fallthrough).code).toBe("UNAVAILABLE");
    expect(toStorageError(new TypeError("x is undefined"), fallthrough).code).toBe("INTERNAL");
  });

  it("everything else is INTERNAL, not retryable, with the cause kept and secrets masked", () => {
    const error = toStorageError(new Error("auth failed for postgres://app:hunter2@db/x using s3cr3t-key"), {
      storage: "primary",
      secrets: ["s3cr3t-key"],
    });
    expect([error.code, error.retryable]).toStrictEqual(["INTERNAL", false]);
    expect(error.message).not.toContain("hunter2");
    expect(error.message).not.toContain("s3cr3t-key");
    expect(String((error.cause as Error).message)).not.toContain("s3cr3t-key");
    expect(toStorageError("a string", { storage: "s" }).message).toBe('Storage "s" failed: a string');
  });
});

describe("isStorageError(error, code)", () => {
  it("narrows to the code's class: VALIDATION gives issues", () => {
    const error: unknown = new ValidationError("bad", [{ path: "$.uuid", message: "required" }]);
    if (!isStorageError(error, "VALIDATION")) return expect.fail("expected VALIDATION");
    expectTypeOf(error).toEqualTypeOf<ValidationError>();
    expectTypeOf(error.issues).toEqualTypeOf<readonly ValidationIssue[]>();
    expect(error.issues.map((issue) => issue.path)).toStrictEqual(["$.uuid"]);
  });

  it("keeps the old answers: without a code any StorageError, a code must match", () => {
    const plain = new StorageError("VALIDATION", "made by hand");
    expect(isStorageError(plain)).toBe(true);
    expect(isStorageError(plain, "VALIDATION")).toBe(true);
    expect(isStorageError(plain, "INTERNAL")).toBe(false);
    // A VALIDATION error made without the subclass still has (empty) issues, so the narrowing holds.
    if (isStorageError(plain, "VALIDATION")) expect(plain.issues).toStrictEqual([]);
    expect(Object.keys(plain)).not.toContain("issues");
    expect(isStorageError(new Error("x"), "VALIDATION")).toBe(false);
  });
});
