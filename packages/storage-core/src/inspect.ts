/**
 * Objects that hold configuration (a connection string, a password, an API key) must never show it
 * when logged, inspected or serialised. One helper gives them a secret-free `toJSON` and
 * `util.inspect` view built from a summary the object chooses.
 */
import { inspect } from "node:util";

/**
 * Makes `target` show only `summary()` in `JSON.stringify`, `console.log` and `util.inspect`, as
 * `Label { ...summary }`. Both are non-enumerable, so spreading or iterating the object is unchanged.
 * Call it in the constructor, e.g. `inspectSafely(this, "RedisAdapter", () => ({ keyPrefix }))`.
 */
export function inspectSafely<T extends object>(
  target: T,
  label: string,
  summary: () => Record<string, unknown>,
): T {
  Object.defineProperties(target, {
    toJSON: { value: () => summary(), enumerable: false, configurable: true, writable: true },
    [inspect.custom]: {
      value: (_depth: number, options: object) => `${label} ${inspect(summary(), options)}`,
      enumerable: false,
      configurable: true,
      writable: true,
    },
  });
  return target;
}
