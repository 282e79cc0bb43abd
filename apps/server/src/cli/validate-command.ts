import { type ValidationLevel, validateDocument } from "../validation/calibrated.js";
import { readSource } from "./sources.js";

export interface ValidateCommandOptions {
  level: ValidationLevel;
  /** Print only documents with errors. */
  quiet?: boolean;
}

export interface ValidateSummary {
  documents: number;
  valid: number;
  withWarnings: number;
  invalid: number;
}

/**
 * `vcon-server validate <path...>`: checks files or folders (walked like `import`: `.json`/`.vcon` one
 * vCon, `.jsonl`/`.ndjson` one per line) with the same rules as `server.validation`, printing each
 * error and warning with its JSON path. Nothing is stored.
 */
export async function validateSources(
  sources: readonly string[],
  options: ValidateCommandOptions,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<ValidateSummary> {
  const summary: ValidateSummary = { documents: 0, valid: 0, withWarnings: 0, invalid: 0 };
  for (const source of sources) {
    for await (const item of readSource(source)) {
      summary.documents++;
      let document: unknown;
      try {
        document = JSON.parse(item.text);
      } catch {
        summary.invalid++;
        write(`${item.where}: invalid`);
        write("  error $: not valid JSON");
        continue;
      }
      const report = validateDocument(document, options.level);
      if (!report.ok) summary.invalid++;
      else if (report.warnings.length > 0) summary.withWarnings++;
      else summary.valid++;
      if (options.quiet && report.ok) continue;
      const verdict = !report.ok
        ? `invalid (${count(report.errors.length, "error")}, ${count(report.warnings.length, "warning")})`
        : report.warnings.length > 0
          ? `valid, ${count(report.warnings.length, "warning")}`
          : "valid";
      write(`${item.where}: ${verdict}`);
      for (const issue of report.errors) write(`  error ${issue.path}: ${issue.message}`);
      if (!options.quiet)
        for (const issue of report.warnings) write(`  warning ${issue.path}: ${issue.message}`);
    }
  }
  write(
    `${count(summary.documents, "document")}: ${summary.valid} valid, ${summary.withWarnings} valid with warnings, ${summary.invalid} invalid (level ${options.level})`,
  );
  return summary;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
