/**
 * "did you mean ...?" for misspelt names: configuration keys, adapter names and adapter option keys.
 * A suggestion is offered only when one candidate is clearly the nearest.
 */

/** The candidate nearest to `word` (edit distance at most a third of its length, and at least 1), if any. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** ` (did you mean "x"?)`, or "" when nothing is near. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const match = closest(word, candidates);
  return match === undefined ? "" : `; did you mean "${match}"?`;
}

/** The keys an object schema accepts (zod's `shape`); undefined for schemas that do not say. */
export function optionKeys(schema: unknown): string[] | undefined {
  const shape = (schema as { shape?: unknown } | null)?.shape;
  return typeof shape === "object" && shape !== null ? Object.keys(shape) : undefined;
}

/** Edits between two words (insert, delete, substitute, swap two neighbours): "prot" is 1 from "port". */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

interface SchemaNode {
  shape?: Record<string, unknown>;
  _zod?: { def?: { type?: string; innerType?: unknown; in?: unknown; valueType?: unknown } };
}

/**
 * A zod issue's message, with "did you mean" added to unknown keys when the schema at the issue's
 * path lists a near key (`storages.primary.optons` → "options").
 */
export function zodIssueMessage(
  issue: { code: string; message: string; path: PropertyKey[]; keys?: string[] },
  root: unknown,
): string {
  if (issue.code !== "unrecognized_keys" || !issue.keys) return issue.message;
  const known = optionKeys(schemaAt(root, issue.path));
  if (!known) return issue.message;
  const hints = issue.keys.map((key) => closest(key, known)).filter((hint) => hint !== undefined);
  return hints.length > 0
    ? `${issue.message}; did you mean ${hints.map((h) => `"${h}"`).join(", ")}?`
    : issue.message;
}

function schemaAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = unwrap(root);
  for (const segment of path) {
    const shape = node?.shape;
    if (shape && String(segment) in shape) node = unwrap(shape[String(segment)]);
    else if (node?._zod?.def?.type === "record") node = unwrap(node._zod.def.valueType);
    else return undefined;
  }
  return node;
}

/** Through defaults, optionals and pipes to the schema that has the shape. */
function unwrap(schema: unknown): SchemaNode | undefined {
  let node = schema as SchemaNode | undefined;
  for (let depth = 0; depth < 10 && node?._zod?.def && !node.shape; depth++) {
    const def = node._zod.def;
    const inner = def.innerType ?? def.in;
    if (!inner) break;
    node = inner as SchemaNode;
  }
  return node;
}
