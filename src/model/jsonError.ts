/**
 * Parse JSON text and, when it is invalid, say where.
 *
 * The location comes from the engine's own `JSON.parse` message (V8 says
 * "at position N", Firefox "at line L column C"); an "unexpected end" is at
 * the end of the text. Engines that give no position get line 1, column 1
 * here; the server's validation reports the exact place either way.
 */

import { errorMessage } from './errorMessage';

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
    const message = errorMessage(reason);
    return { ok: false, error: locateJSONError(text, message) };
  }
}

/** The location of a `JSON.parse` error in `text`, read from its message. */
export function locateJSONError(
  text: string,
  message: string
): IJSONParseError {
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn) {
    const line = Number(lineColumn[1]);
    const column = Number(lineColumn[2]);
    return { message, offset: offsetOf(text, line, column), line, column };
  }
  const position = /at position (\d+)/.exec(message);
  let offset = 0;
  if (position) {
    offset = Number(position[1]);
  } else if (/end of (JSON|data|input)/i.test(message) || text.trim() === '') {
    offset = text.length;
  }
  return { message, offset, ...lineAndColumn(text, offset) };
}

/** Line and column (1-based) of an offset in a text. */
export function lineAndColumn(
  text: string,
  offset: number
): { line: number; column: number } {
  const before = text.slice(0, Math.min(offset, text.length));
  const lineStart = before.lastIndexOf('\n') + 1;
  return {
    line: before.split('\n').length,
    column: before.length - lineStart + 1
  };
}

function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let i = 1; i < line; i++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) {
      break;
    }
    offset = next + 1;
  }
  return offset + column - 1;
}
