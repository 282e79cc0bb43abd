// test/readme/errors.example.ts
import { isStorageError, type VconInput, type VconStorage } from "@vcon/storage-core";

/** Saves a vCon and turns a failure into advice: branch on `code`, never on the message. */
export async function saveWithAdvice(storage: VconStorage, vcon: VconInput): Promise<string> {
  try {
    const { uuid } = await storage.save(vcon);
    return `saved ${uuid}`;
  } catch (error) {
    // With a code, isStorageError narrows to that code's class: a VALIDATION error has `issues`.
    if (isStorageError(error, "VALIDATION")) {
      return `fix the document: ${error.issues.map((issue) => issue.path).join(", ")}`;
    }
    if (!isStorageError(error)) throw error;
    switch (error.code) {
      case "UNAVAILABLE":
        return `backend down, retryable=${error.retryable}`;
      case "CLOSED":
        return "storage closed: open a new one";
      default:
        return `${error.code}: ${error.message}`;
    }
  }
}
