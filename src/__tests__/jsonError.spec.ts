import { lineAndColumn, locateJSONError, parseJSON } from '../model/jsonError';

describe('parseJSON', () => {
  it('returns the value of valid JSON', () => {
    expect(parseJSON('{"a": [1, 2.5e3, true, null, "\\u00e9"]}')).toEqual({
      ok: true,
      value: { a: [1, 2500, true, null, 'é'] }
    });
  });

  it.each([
    ['{"a": 1,}', 1, 9],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3],
    ['[1, 2', 1, 6],
    ['', 1, 1]
  ])('locates the error in %j at %i:%i', (text, line, column) => {
    const result = parseJSON(text);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toMatchObject({ line, column });
      expect(result.error.message).not.toBe('');
    }
  });
});

describe('locateJSONError', () => {
  const text = '{\n  "a": 1\n  "b": 2\n}';

  it('reads V8 positions', () => {
    const error = locateJSONError(text, 'Expected , in JSON at position 13');
    expect(error).toMatchObject({ offset: 13, line: 3, column: 3 });
  });

  it('reads line and column (Firefox, newer V8)', () => {
    const message =
      'JSON.parse: expected , or } after property value in object at line 3 column 3 of the JSON data';
    expect(locateJSONError(text, message)).toMatchObject({
      offset: 13,
      line: 3,
      column: 3
    });
  });

  it('puts an unexpected end at the end of the text', () => {
    expect(
      locateJSONError('[1,\n2', 'Unexpected end of JSON input')
    ).toMatchObject({ line: 2, column: 2 });
  });

  it('falls back to the start when the engine gives no position', () => {
    expect(locateJSONError(text, 'JSON Parse error: Expected }')).toMatchObject(
      { offset: 0, line: 1, column: 1 }
    );
  });
});

describe('lineAndColumn', () => {
  it('counts lines and columns from 1', () => {
    expect(lineAndColumn('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineAndColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});
