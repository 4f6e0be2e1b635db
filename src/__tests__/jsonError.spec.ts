import { findJSONError, lineAndColumn, parseJSON } from '../model/jsonError';

describe('parseJSON', () => {
  it('returns the value of valid JSON', () => {
    expect(parseJSON('{"a": [1, 2.5e3, true, null, "\\u00e9"]}')).toEqual({
      ok: true,
      value: { a: [1, 2500, true, null, 'é'] }
    });
  });

  it.each([
    ['{"a": 1,}', 1, 9, /Trailing comma/],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, /expected ',' or '}'/],
    ['{"a": tru}', 1, 7, /expected a value/],
    ['{"a": "unterminated}', 1, 7, /Unterminated string/],
    ['[1, 2', 1, 6, /end of file/],
    ['', 1, 1, /empty/],
    ['{"a": 1} x', 1, 10, /after the end/],
    ["{'a': 1}", 1, 2, /double quotes/],
    ['{"a": "x\ny"}', 1, 9, /control character/],
    ['{"a": 01}', 1, 8, /expected ',' or '}'/]
  ])('locates the error in %j at %i:%i', (text, line, column, message) => {
    const result = parseJSON(text);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toMatchObject({ line, column });
      expect(result.error.message).toMatch(message);
    }
  });

  it('agrees with JSON.parse on what is valid', () => {
    for (const text of [
      '{}',
      '[]',
      '"s"',
      '0',
      '-1.5E-2',
      ' {"a" : { } } ',
      '{"\\"": "\\\\"}'
    ]) {
      expect(findJSONError(text)).toBeNull();
      expect(() => JSON.parse(text)).not.toThrow();
    }
  });
});

describe('lineAndColumn', () => {
  it('counts lines and columns from 1', () => {
    expect(lineAndColumn('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineAndColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});
