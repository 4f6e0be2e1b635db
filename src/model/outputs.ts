/**
 * How to turn the outputs a notebook cell shows into the outputs a live
 * event brings, with as small a change as possible: nothing when they are
 * the same, text appended to the last stream output when it just grew (the
 * common case of a cell printing), otherwise a replacement of the outputs
 * from the first one that differs.
 */
import { JSONExt, JSONValue } from '@lumino/coreutils';

/** An nbformat output, loosely typed. */
export type Output = Record<string, unknown>;

/** A change to apply to a cell's outputs. */
export type OutputsChange =
  | { kind: 'none' }
  /** Append `text` to the stream output at `index` (the last one). */
  | { kind: 'append'; index: number; text: string }
  /** Replace outputs `start` to `end` (exclusive) with `outputs`. */
  | { kind: 'replace'; start: number; end: number; outputs: Output[] };

/** nbformat multiline strings (a string or a list of lines) as one string. */
export function joinText(value: unknown): string {
  if (Array.isArray(value)) {
    return value.map(String).join('');
  }
  return typeof value === 'string' ? value : '';
}

/** An output with its multiline strings joined, for comparison. */
export function normalizeOutput(output: Output): Output {
  const copy: Output = { ...output };
  if (output.output_type === 'stream') {
    copy.text = joinText(output.text);
  }
  if (output.data && typeof output.data === 'object') {
    const data: Record<string, unknown> = {};
    for (const [mime, value] of Object.entries(
      output.data as Record<string, unknown>
    )) {
      data[mime] =
        Array.isArray(value) && value.every(line => typeof line === 'string')
          ? value.join('')
          : value;
    }
    copy.data = data;
  }
  if (copy.metadata === undefined) {
    delete copy.metadata;
  } else if (
    typeof copy.metadata === 'object' &&
    copy.metadata !== null &&
    Object.keys(copy.metadata).length === 0
  ) {
    delete copy.metadata;
  }
  return copy;
}

function same(a: Output, b: Output): boolean {
  return JSONExt.deepEqual(
    normalizeOutput(a) as unknown as JSONValue,
    normalizeOutput(b) as unknown as JSONValue
  );
}

/** The change that turns `current` outputs into `next`. */
export function diffOutputs(
  current: readonly Output[],
  next: readonly Output[]
): OutputsChange {
  let prefix = 0;
  while (
    prefix < current.length &&
    prefix < next.length &&
    same(current[prefix], next[prefix])
  ) {
    prefix++;
  }
  if (prefix === current.length && prefix === next.length) {
    return { kind: 'none' };
  }
  const last = current.length - 1;
  if (prefix === last && next.length === current.length) {
    const before = current[last];
    const after = next[last];
    if (
      before.output_type === 'stream' &&
      after.output_type === 'stream' &&
      before.name === after.name
    ) {
      const oldText = joinText(before.text);
      const newText = joinText(after.text);
      if (newText.length > oldText.length && newText.startsWith(oldText)) {
        return {
          kind: 'append',
          index: last,
          text: newText.slice(oldText.length)
        };
      }
    }
  }
  return {
    kind: 'replace',
    start: prefix,
    end: current.length,
    outputs: next.slice(prefix).map(output => ({ ...output }))
  };
}

/** Where a cell is: by id when the notebook has it, else by index. */
export function findCellIndex(
  ids: readonly (string | undefined)[],
  cellId: string | null | undefined,
  index: number
): number {
  if (cellId) {
    if (ids[index] === cellId) {
      return index;
    }
    const found = ids.indexOf(cellId);
    if (found !== -1) {
      return found;
    }
  }
  return index >= 0 && index < ids.length ? index : -1;
}
