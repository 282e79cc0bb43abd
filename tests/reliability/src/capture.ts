import { inspect } from "node:util";
import type { Logger } from "@vcon/storage-core";

/** A pino-shaped logger that keeps every call, so tests can grep what would have been logged. */
export class RecordingLogger implements Logger {
  readonly lines: Array<{ level: string; object: object; message?: string }> = [];
  debug(object: object, message?: string) {
    this.lines.push({ level: "debug", object, message });
  }
  info(object: object, message?: string) {
    this.lines.push({ level: "info", object, message });
  }
  warn(object: object, message?: string) {
    this.lines.push({ level: "warn", object, message });
  }
  error(object: object, message?: string) {
    this.lines.push({ level: "error", object, message });
  }
  /** Everything logged, as text: messages, objects in depth, and any error inside them. */
  text(): string {
    return this.lines.map((l) => `${l.level} ${l.message ?? ""} ${everythingAbout(l.object)}`).join("\n");
  }
}

/** An error's message, stack and own fields, then its cause chain (and AggregateError members). */
export function errorText(error: unknown, seen = new Set<unknown>()): string {
  if (seen.has(error)) return "";
  seen.add(error);
  if (!(error instanceof Error)) return everythingAbout(error);
  const parts = [error.message, error.stack ?? "", everythingAbout(error)];
  if (error.cause !== undefined) parts.push(errorText(error.cause, seen));
  if (error instanceof AggregateError) for (const inner of error.errors) parts.push(errorText(inner, seen));
  return parts.join("\n");
}

/** util.inspect in full depth (with hidden fields) and JSON.stringify, whichever works. */
export function everythingAbout(value: unknown): string {
  const parts = [inspect(value, { depth: 8, showHidden: true, getters: false })];
  try {
    parts.push(JSON.stringify(value) ?? "");
  } catch (error) {
    parts.push(`(JSON.stringify threw: ${(error as Error).message})`);
  }
  return parts.join("\n");
}

/** Runs `body`, returning what it threw (or failing when it did not throw). */
export async function caught(body: () => Promise<unknown>): Promise<Error> {
  try {
    await body();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection, but the call resolved");
}
