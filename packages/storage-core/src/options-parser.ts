/**
 * An adapter's options, parsed once however the adapter is made. The registry parses the options it
 * hands to `create`; a constructor that also takes options from callers parses what it is given. The
 * registry's output is marked with `trust` so the constructor does not parse it a second time.
 */
import { type AdapterDefinition, parseOptionsSync } from "./registry.js";

export interface OptionsParser<T> {
  /** `options` as they are when `trust` marked them, else checked by the schema (VALIDATION when bad). */
  parse(options: unknown): T;
  /** Marks options already parsed with this schema (the registry's, in `create`) and returns them. */
  trust(options: T): T;
}

/**
 * The parser for one adapter's options schema, e.g.
 * `const parser = optionsParser({ name: "file", options: fileOptions })`; then `parser.parse(options)`
 * in the constructor and `new FileAdapter(parser.trust(options))` in the definition's `create`.
 */
export function optionsParser<T>(
  definition: Pick<AdapterDefinition<T>, "name" | "options">,
): OptionsParser<T> {
  // Identity, not shape: only the very objects the schema produced skip the check.
  const parsed = new WeakSet<object>();
  return {
    parse(options) {
      if (typeof options === "object" && options !== null && parsed.has(options)) return options as T;
      return parseOptionsSync(definition, options);
    },
    trust(options) {
      if (typeof options === "object" && options !== null) parsed.add(options);
      return options;
    },
  };
}
