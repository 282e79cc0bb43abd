import { describe, expect, it } from "vitest";
import {
  ClosedError,
  ConflictError,
  ErrorCodes,
  InternalError,
  isStorageError,
  NotSupportedError,
  redactUrl,
  StorageError,
  scrubSecrets,
  UnavailableError,
  ValidationError,
} from "../src/index.js";

describe("error codes", () => {
  it("are exactly the six stable codes", () => {
    expect(Object.keys(ErrorCodes).sort()).toStrictEqual(
      ["CLOSED", "CONFLICT", "INTERNAL", "NOT_SUPPORTED", "UNAVAILABLE", "VALIDATION"].sort(),
    );
    for (const [key, value] of Object.entries(ErrorCodes)) expect(value).toBe(key);
  });

  it("each subclass carries its code and retryable flag", () => {
    const cases: Array<[StorageError, string, boolean]> = [
      [new ValidationError("v"), "VALIDATION", false],
      [new NotSupportedError("n"), "NOT_SUPPORTED", false],
      [new UnavailableError("u"), "UNAVAILABLE", true],
      [new ConflictError("c"), "CONFLICT", false],
      [new ClosedError(), "CLOSED", false],
      [new InternalError("i"), "INTERNAL", false],
    ];
    for (const [error, code, retryable] of cases) {
      expect(error).toBeInstanceOf(StorageError);
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe(code);
      expect(error.retryable).toBe(retryable);
      expect(isStorageError(error, code as never)).toBe(true);
    }
  });

  it("retryable can be overridden, e.g. a conflict worth retrying", () => {
    expect(new ConflictError("c", { retryable: true }).retryable).toBe(true);
    expect(new UnavailableError("u", { retryable: false }).retryable).toBe(false);
  });

  it("ValidationError lists its issues in the message and in JSON", () => {
    const error = new ValidationError("Bad", [{ path: "$.uuid", message: "required" }]);
    expect(error.message).toBe("Bad: $.uuid: required");
    expect(JSON.parse(JSON.stringify(error))).toStrictEqual({
      name: "ValidationError",
      code: "VALIDATION",
      message: "Bad: $.uuid: required",
      retryable: false,
      issues: [{ path: "$.uuid", message: "required" }],
    });
  });

  it("isStorageError recognises errors from another copy of core by shape, and rejects look-alikes", () => {
    const foreign = Object.assign(new Error("x"), { code: "CLOSED", retryable: false });
    expect(isStorageError(foreign)).toBe(true);
    expect(isStorageError(foreign, "CLOSED")).toBe(true);
    expect(isStorageError(foreign, "INTERNAL")).toBe(false);
    expect(isStorageError(Object.assign(new Error("x"), { code: "ECONNREFUSED", retryable: true }))).toBe(
      false,
    );
    expect(isStorageError({ code: "CLOSED", retryable: false })).toBe(false);
    expect(isStorageError(null)).toBe(false);
  });
});

describe("secrets never leak through errors", () => {
  it("keeps the driver error as cause, scrubbed of URL passwords", () => {
    const driver = Object.assign(new Error("connect failed for postgres://app:s3cr3t@db:5432/vcons"), {
      code: "ECONNREFUSED",
      errno: -111,
      password: "s3cr3t",
    });
    const error = new UnavailableError("db unreachable: postgres://app:s3cr3t@db:5432/vcons", {
      cause: driver,
    });
    const cause = error.cause as Error & { code?: string; errno?: number; password?: string };
    expect(error.message).toBe("db unreachable: postgres://app:***@db:5432/vcons");
    expect(cause.message).toBe("connect failed for postgres://app:***@db:5432/vcons");
    expect(cause.code).toBe("ECONNREFUSED");
    expect(cause.errno).toBe(-111);
    expect(cause.password).toBeUndefined();
    expect(cause.stack ?? "").not.toContain("s3cr3t");
  });

  it("scrubs password= pairs and listed literal secrets, including URL-encoded ones", () => {
    const error = new InternalError("host=db password='p w' user=app; also Hunter2 and p%40ss", {
      cause: "password=abc123&x=1",
      secrets: ["Hunter2", "p@ss"],
    });
    expect(error.message).toBe("host=db password=*** user=app; also *** and ***");
    expect(error.cause).toBe("password=***&x=1");
  });

  it("JSON of an error carries no cause", () => {
    const error = new InternalError("x", { cause: new Error("redis://:pw@host") });
    expect(JSON.stringify(error)).not.toContain("pw");
  });

  it("redactUrl masks only the password", () => {
    expect(redactUrl("redis://user:pa:ss@localhost:6379/0")).toBe("redis://user:***@localhost:6379/0");
    expect(redactUrl("postgres://localhost/db")).toBe("postgres://localhost/db");
    expect(scrubSecrets('PWD=x1;Passwd = "a b"')).toBe("PWD=***;Passwd=***");
  });
});
