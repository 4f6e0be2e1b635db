import {
  diffOutputs,
  findCellIndex,
  joinText,
  normalizeOutput
} from '../model/outputs';

const stream = (text: string | string[], name = 'stdout') => ({
  output_type: 'stream',
  name,
  text
});
const result = (value: string) => ({
  output_type: 'execute_result',
  execution_count: 1,
  data: { 'text/plain': value },
  metadata: {}
});

describe('diffOutputs', () => {
  it('does nothing when the outputs are the same (multiline strings joined)', () => {
    expect(diffOutputs([stream(['a\n', 'b\n'])], [stream('a\nb\n')])).toEqual({
      kind: 'none'
    });
    expect(diffOutputs([], [])).toEqual({ kind: 'none' });
  });

  it('appends to the last stream output when it just grew', () => {
    expect(
      diffOutputs([stream('tick 0\n')], [stream('tick 0\ntick 1\n')])
    ).toEqual({
      kind: 'append',
      index: 0,
      text: 'tick 1\n'
    });
    expect(
      diffOutputs([result('1'), stream('a')], [result('1'), stream(['a', 'b'])])
    ).toEqual({ kind: 'append', index: 1, text: 'b' });
  });

  it('replaces from the first output that differs', () => {
    expect(diffOutputs([], [stream('x')])).toEqual({
      kind: 'replace',
      start: 0,
      end: 0,
      outputs: [stream('x')]
    });
    // Another stream name, or text that is not a continuation: replaced.
    expect(diffOutputs([stream('a')], [stream('ab', 'stderr')]).kind).toBe(
      'replace'
    );
    expect(diffOutputs([stream('abc')], [stream('xbc')]).kind).toBe('replace');
    expect(
      diffOutputs(
        [stream('a'), result('1')],
        [stream('a'), result('2'), stream('z')]
      )
    ).toEqual({
      kind: 'replace',
      start: 1,
      end: 2,
      outputs: [result('2'), stream('z')]
    });
    // Fewer outputs (cleared output).
    expect(diffOutputs([stream('a'), result('1')], [])).toEqual({
      kind: 'replace',
      start: 0,
      end: 2,
      outputs: []
    });
  });

  it('normalizes outputs for comparison only', () => {
    expect(joinText(['a', 'b'])).toBe('ab');
    expect(joinText(undefined)).toBe('');
    expect(
      normalizeOutput({ ...result('x'), data: { 'text/plain': ['x', 'y'] } })
    ).toEqual({
      output_type: 'execute_result',
      execution_count: 1,
      data: { 'text/plain': 'xy' }
    });
  });
});

describe('findCellIndex', () => {
  const ids = ['c0', 'c1', 'c2'];

  it('uses the index when the id is there', () => {
    expect(findCellIndex(ids, 'c1', 1)).toBe(1);
  });

  it('finds the cell by id when cells moved', () => {
    expect(findCellIndex(ids, 'c2', 0)).toBe(2);
  });

  it('falls back to the index without a known id, and -1 out of range', () => {
    expect(findCellIndex(ids, null, 2)).toBe(2);
    expect(findCellIndex(ids, 'gone', 1)).toBe(1);
    expect(findCellIndex(ids, 'gone', 7)).toBe(-1);
  });
});
