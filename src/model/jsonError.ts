/**
 * Parse JSON text and, when it is invalid, say where and why.
 *
 * `JSON.parse` error messages differ between JavaScript engines and do not
 * always carry a position, so invalid text is scanned again by a small strict
 * JSON reader that reports the first problem with its line and column.
 */

/** Where and why JSON text is invalid. Line and column start at 1. */
export interface IJSONParseError {
  message: string;
  offset: number;
  line: number;
  column: number;
}

/** The result of {@link parseJSON}. */
export type JSONParseResult =
  { ok: true; value: unknown } | { ok: false; error: IJSONParseError };

/** Parse JSON text; never throws. */
export function parseJSON(text: string): JSONParseResult {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (reason) {
    const found = findJSONError(text);
    if (found) {
      return { ok: false, error: found };
    }
    // The scanner accepted text JSON.parse rejected: fall back to the
    // engine's message at the start of the document.
    const message = reason instanceof Error ? reason.message : String(reason);
    return { ok: false, error: { message, offset: 0, line: 1, column: 1 } };
  }
}

/** Line and column (1-based) of an offset in a text. */
export function lineAndColumn(
  text: string,
  offset: number
): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/** Find the first syntax error in a JSON text, or null if it is valid. */
export function findJSONError(text: string): IJSONParseError | null {
  try {
    new Scanner(text).document();
    return null;
  } catch (reason) {
    if (reason instanceof ScanError) {
      return {
        message: reason.message,
        offset: reason.offset,
        ...lineAndColumn(text, reason.offset)
      };
    }
    throw reason;
  }
}

class ScanError extends Error {
  constructor(
    message: string,
    readonly offset: number
  ) {
    super(message);
  }
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/;
const HEX4 = /^[0-9a-fA-F]{4}$/;

/** A strict JSON reader that only checks syntax. */
class Scanner {
  constructor(private readonly _text: string) {}

  document(): void {
    this._skipWhitespace();
    if (this._pos >= this._text.length) {
      this._fail('The file is empty; expected a JSON object');
    }
    this._value();
    this._skipWhitespace();
    if (this._pos < this._text.length) {
      this._fail(
        `Unexpected ${this._describe()} after the end of the JSON value`
      );
    }
  }

  private _value(): void {
    this._skipWhitespace();
    const char = this._text[this._pos];
    if (char === '{') {
      this._object();
    } else if (char === '[') {
      this._array();
    } else if (char === '"') {
      this._string();
    } else if (char === '-' || (char >= '0' && char <= '9')) {
      this._number();
    } else if (!this._literal()) {
      this._fail(`Unexpected ${this._describe()}; expected a value`);
    }
  }

  private _object(): void {
    this._pos++; // {
    this._skipWhitespace();
    if (this._text[this._pos] === '}') {
      this._pos++;
      return;
    }
    for (;;) {
      this._skipWhitespace();
      if (this._text[this._pos] !== '"') {
        this._fail(
          this._text[this._pos] === '}'
            ? 'Trailing comma before }'
            : `Unexpected ${this._describe()}; expected a property name in double quotes`
        );
      }
      this._string();
      this._skipWhitespace();
      if (this._text[this._pos] !== ':') {
        this._fail(
          `Unexpected ${this._describe()}; expected ':' after the property name`
        );
      }
      this._pos++;
      this._value();
      this._skipWhitespace();
      const next = this._text[this._pos];
      if (next === ',') {
        this._pos++;
      } else if (next === '}') {
        this._pos++;
        return;
      } else {
        this._fail(
          `Unexpected ${this._describe()}; expected ',' or '}' after a property value`
        );
      }
    }
  }

  private _array(): void {
    this._pos++; // [
    this._skipWhitespace();
    if (this._text[this._pos] === ']') {
      this._pos++;
      return;
    }
    for (;;) {
      this._skipWhitespace();
      if (this._text[this._pos] === ']') {
        this._fail('Trailing comma before ]');
      }
      this._value();
      this._skipWhitespace();
      const next = this._text[this._pos];
      if (next === ',') {
        this._pos++;
      } else if (next === ']') {
        this._pos++;
        return;
      } else {
        this._fail(
          `Unexpected ${this._describe()}; expected ',' or ']' after an array element`
        );
      }
    }
  }

  private _string(): void {
    const start = this._pos;
    this._pos++; // opening quote
    while (this._pos < this._text.length) {
      const char = this._text[this._pos];
      if (char === '"') {
        this._pos++;
        return;
      }
      if (char === '\\') {
        const escape = this._text[this._pos + 1];
        if (escape === 'u') {
          if (!HEX4.test(this._text.slice(this._pos + 2, this._pos + 6))) {
            this._fail('Invalid \\u escape in a string; expected 4 hex digits');
          }
          this._pos += 6;
          continue;
        }
        if (escape === undefined || !ESCAPES.has(escape)) {
          this._fail('Invalid escape sequence in a string');
        }
        this._pos += 2;
        continue;
      }
      if (char.charCodeAt(0) < 0x20) {
        this._fail(
          'Unescaped control character (such as a line break) in a string'
        );
      }
      this._pos++;
    }
    this._fail('Unterminated string', start);
  }

  private _number(): void {
    const match = NUMBER.exec(this._text.slice(this._pos, this._pos + 400));
    if (!match) {
      this._fail('Invalid number');
    }
    this._pos += match![0].length;
  }

  private _literal(): boolean {
    for (const word of ['true', 'false', 'null']) {
      if (this._text.startsWith(word, this._pos)) {
        this._pos += word.length;
        return true;
      }
    }
    return false;
  }

  private _skipWhitespace(): void {
    while (
      this._pos < this._text.length &&
      WHITESPACE.has(this._text[this._pos])
    ) {
      this._pos++;
    }
  }

  private _describe(): string {
    if (this._pos >= this._text.length) {
      return 'end of file';
    }
    return `character ${JSON.stringify(this._text[this._pos])}`;
  }

  private _fail(message: string, offset = this._pos): never {
    throw new ScanError(message, offset);
  }

  private _pos = 0;
}
