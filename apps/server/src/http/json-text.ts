/**
 * Reading JSON text without re-serialising it: where a body's syntax breaks (for error messages that
 * point at the spot without quoting the body), and the exact text of each element of an array.
 * Both walk the text once; neither builds values.
 */

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);

export interface JsonSyntaxProblem {
  /** Offset in the text (UTF-16 code units, as JavaScript counts). */
  position: number;
  line: number;
  column: number;
  /** What was expected there, never the text itself (it may hold personal data). */
  expected: string;
}

/** The first syntax error of `text`, or null when it is valid JSON. */
export function findJsonSyntaxProblem(text: string): JsonSyntaxProblem | null {
  const scanner = new Scanner(text);
  try {
    scanner.skipWhitespace();
    scanner.value();
    scanner.skipWhitespace();
    if (scanner.index < text.length) scanner.fail("the end of the body");
    return null;
  } catch (error) {
    if (!(error instanceof SyntaxAt)) throw error;
    return { position: error.position, ...lineAndColumn(text, error.position), expected: error.expected };
  }
}

/**
 * The exact text of each element of a JSON array (outer whitespace excluded), for text already known
 * to be a valid JSON array. Saving these slices keeps every document's bytes as the client sent them.
 */
export function arrayElementTexts(text: string): string[] {
  const scanner = new Scanner(text);
  scanner.skipWhitespace();
  scanner.expect("[");
  const elements: string[] = [];
  scanner.skipWhitespace();
  if (scanner.peek() === "]") return elements;
  for (;;) {
    scanner.skipWhitespace();
    const start = scanner.index;
    scanner.value();
    elements.push(text.slice(start, scanner.index));
    scanner.skipWhitespace();
    if (scanner.peek() === "]") return elements;
    scanner.expect(",");
  }
}

/** `text` without the JSON whitespace around its value: the value's own bytes. */
export function trimJsonWhitespace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && WHITESPACE.has(text[start]!)) start++;
  while (end > start && WHITESPACE.has(text[end - 1]!)) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

class SyntaxAt extends Error {
  constructor(
    readonly position: number,
    readonly expected: string,
  ) {
    super(`expected ${expected} at ${position}`);
  }
}

const LITERALS = ["true", "false", "null"];
/** A run of string characters that need no attention: skipped in one step. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters end the run on purpose
const PLAIN_CHARACTERS = /[^"\\\u0000-\u001f]*/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class Scanner {
  index = 0;

  constructor(readonly text: string) {}

  peek(): string | undefined {
    return this.text[this.index];
  }

  fail(expected: string): never {
    throw new SyntaxAt(this.index, expected);
  }

  expect(char: string): void {
    if (this.peek() !== char) this.fail(`'${char}'`);
    this.index++;
  }

  skipWhitespace(): void {
    while (this.index < this.text.length && WHITESPACE.has(this.text[this.index]!)) this.index++;
  }

  value(): void {
    const char = this.peek();
    if (char === "{") this.object();
    else if (char === "[") this.array();
    else if (char === '"') this.string();
    else this.scalar();
  }

  scalar(): void {
    for (const literal of LITERALS) {
      if (this.text.startsWith(literal, this.index)) {
        this.index += literal.length;
        return;
      }
    }
    NUMBER.lastIndex = this.index;
    if (NUMBER.exec(this.text)) {
      this.index = NUMBER.lastIndex;
      return;
    }
    this.fail("a value (object, array, string, number, true, false or null)");
  }

  object(): void {
    this.index++;
    this.skipWhitespace();
    if (this.peek() === "}") {
      this.index++;
      return;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.peek() !== '"') this.fail("a double-quoted property name");
      this.string();
      this.skipWhitespace();
      this.expect(":");
      this.skipWhitespace();
      this.value();
      this.skipWhitespace();
      if (this.peek() === "}") {
        this.index++;
        return;
      }
      if (this.peek() !== ",") this.fail("',' or '}'");
      this.index++;
    }
  }

  array(): void {
    this.index++;
    this.skipWhitespace();
    if (this.peek() === "]") {
      this.index++;
      return;
    }
    for (;;) {
      this.skipWhitespace();
      this.value();
      this.skipWhitespace();
      if (this.peek() === "]") {
        this.index++;
        return;
      }
      if (this.peek() !== ",") this.fail("',' or ']'");
      this.index++;
    }
  }

  string(): void {
    this.index++;
    for (;;) {
      PLAIN_CHARACTERS.lastIndex = this.index;
      PLAIN_CHARACTERS.exec(this.text);
      this.index = PLAIN_CHARACTERS.lastIndex;
      const char = this.peek();
      if (char === undefined) this.fail("a closing '\"'");
      if (char === '"') {
        this.index++;
        return;
      }
      if (char < " ") this.fail("an escaped control character (\\n, \\t, \\u00XX)");
      if (char === "\\") {
        const escaped = this.text[this.index + 1];
        if (escaped === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.index + 2, this.index + 6))) {
            this.index += 2;
            this.fail("four hex digits after \\u");
          }
          this.index += 6;
          continue;
        }
        if (escaped === undefined || !'"\\/bfnrt'.includes(escaped)) {
          this.index++;
          this.fail('an escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
        }
        this.index += 2;
        continue;
      }
      this.index++;
    }
  }
}

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < position && i < text.length; i++) {
    if (text[i] === "\n") {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: position - lineStart + 1 };
}
