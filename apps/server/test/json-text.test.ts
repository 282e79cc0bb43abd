import { describe, expect, it } from "vitest";
import { arrayElementTexts, findJsonSyntaxProblem, trimJsonWhitespace } from "../src/http/json-text.js";

/** Texts covering every JSON construct: escapes, unicode (astral too), numbers in every spelling. */
const VALID = [
  "{}",
  "[]",
  '""',
  "0",
  "-0.5e-3",
  "1E+2",
  "true",
  "null",
  '{"a":[1,2.5,-3e4,{"b":null}],"c":"\\"quoted\\" \\\\ \\/ \\b\\f\\n\\r\\t \\u00e9 \\ud83d\\ude00 😀 ⏰"}',
  ' \n\t{ "spaced" : [ true , false ] ,\r\n "nested": {"deep": [[[]]]} } ',
  JSON.stringify(
    { uuid: "0194c3a2-7b1e-8f3d-9a2c-4e5f6a7b8c9d", parties: [{ tel: "+1555", name: "Zoë" }] },
    null,
    2,
  ),
];

const INVALID = [
  "",
  "{",
  '{"a":}',
  '{"a":1,}',
  "[1,]",
  "[1 2]",
  "{'a':1}",
  '{"a":01}',
  '{"a":1.}',
  '{"a":.5}',
  '{"a":+1}',
  '"\\x"',
  '"\\u12G4"',
  '"tab\there"',
  "tru",
  "nul",
  "{} {}",
  '{"a" 1}',
  "NaN",
];

describe("JSON text without re-serialising", () => {
  it("agrees with JSON.parse on what is valid, for every text and every prefix of it", () => {
    for (const text of [...VALID, ...INVALID]) {
      for (let end = 0; end <= text.length; end++) {
        const prefix = text.slice(0, end);
        let parses = true;
        try {
          JSON.parse(prefix);
        } catch {
          parses = false;
        }
        expect([prefix, findJsonSyntaxProblem(prefix) === null]).toEqual([prefix, parses]);
      }
    }
  });

  it("points at the offending character with its line and column", () => {
    expect(findJsonSyntaxProblem('{\n  "a": 1,\n  "b": x\n}')).toEqual({
      position: 19,
      line: 3,
      column: 8,
      expected: "a value (object, array, string, number, true, false or null)",
    });
    expect(findJsonSyntaxProblem('{"a":1,}')?.expected).toBe("a double-quoted property name");
    expect(findJsonSyntaxProblem("[1 2]")?.expected).toBe("',' or ']'");
    expect(findJsonSyntaxProblem("{} {}")?.expected).toBe("the end of the body");
  });

  it("gives each array element's exact text, whatever the spacing around it", () => {
    for (const a of VALID) {
      for (const b of VALID) {
        const elements = arrayElementTexts(`[ ${a}\n,${b}\t]`);
        expect(elements).toEqual([a.trim(), b.trim()]);
        expect(elements.map((e) => JSON.parse(e))).toEqual([JSON.parse(a), JSON.parse(b)]);
      }
    }
    expect(arrayElementTexts(" [ ] ")).toEqual([]);
  });

  it("trims only JSON whitespace around a value", () => {
    expect(trimJsonWhitespace(' \r\n\t{"a": " x "}\n')).toBe('{"a": " x "}');
    // A no-break space is not JSON whitespace: it stays (and makes the text invalid JSON).
    expect(trimJsonWhitespace("\u00a0{}")).toBe("\u00a0{}");
  });
});
