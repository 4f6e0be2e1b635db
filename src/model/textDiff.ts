/**
 * The smallest single replacement that turns one text into another (common
 * prefix and suffix kept), so that an edit of the pipeline changes only the
 * part of the document that changed: a text editor open on the same file
 * keeps its cursor, and the undo history holds small steps.
 */

/** Replace `[start, end)` of the old text with `value`. */
export interface IReplacement {
  start: number;
  end: number;
  value: string;
}

/** The replacement turning `before` into `after`; null when they are equal. */
export function textReplacement(
  before: string,
  after: string
): IReplacement | null {
  if (before === after) {
    return null;
  }
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) {
    start++;
  }
  // Do not split a surrogate pair.
  if (start > 0 && isHighSurrogate(before.charCodeAt(start - 1))) {
    start--;
  }
  let suffix = 0;
  while (
    suffix < max - start &&
    before.charCodeAt(before.length - 1 - suffix) ===
      after.charCodeAt(after.length - 1 - suffix)
  ) {
    suffix++;
  }
  if (suffix > 0 && isLowSurrogate(before.charCodeAt(before.length - suffix))) {
    suffix--;
  }
  return {
    start,
    end: before.length - suffix,
    value: after.slice(start, after.length - suffix)
  };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
