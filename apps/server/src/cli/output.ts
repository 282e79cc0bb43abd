import type { Logger, ValidationIssue } from "@vcon/storage-core";
import { withoutIssueText } from "../storages/failure.js";
import type { StorageOutcome } from "../storages/outcome.js";

/** Storage warnings and errors on stderr, one line each; debug and info stay quiet in the CLI. */
export const stderrLogger: Logger = {
  debug() {},
  info() {},
  warn: (object, message) => process.stderr.write(`warn: ${describe(object, message)}\n`),
  error: (object, message) => process.stderr.write(`error: ${describe(object, message)}\n`),
};

function describe(object: object, message?: string): string {
  const { storage, err } = object as { storage?: string; err?: { message?: string } };
  return [message, storage && `storage ${storage}`, err?.message].filter(Boolean).join(": ");
}

/** Prints an error with its issues and per-storage outcomes, never a stack trace, and sets exit code 1. */
export function reportError(error: unknown): void {
  const { issues, outcomes } = error as { issues?: ValidationIssue[]; outcomes?: StorageOutcome[] };
  const lines = [
    `error: ${withoutIssueText(error instanceof Error ? error.message : String(error), issues)}`,
  ];
  for (const issue of issues ?? []) lines.push(`  - ${issue.path}: ${issue.message}`);
  for (const outcome of outcomes ?? []) lines.push(`  - storage ${outcome.storage}: ${outcomeText(outcome)}`);
  process.stderr.write(`${lines.join("\n")}\n`);
  process.exitCode = 1;
}

export function outcomeText(outcome: StorageOutcome): string {
  return outcome.ok ? "ok" : `${outcome.code}: ${outcome.message}`;
}

/** Documents per second, rounded for people. */
export function rate(count: number, startedMs: number): string {
  const seconds = Math.max((performance.now() - startedMs) / 1000, 0.001);
  const perSecond = count / seconds;
  return perSecond >= 100 ? String(Math.round(perSecond)) : perSecond.toFixed(1);
}
