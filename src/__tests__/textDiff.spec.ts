import { IReplacement, textReplacement } from '../model/textDiff';

/** What the document does with a replacement. */
function apply(text: string, change: IReplacement): string {
  return text.slice(0, change.start) + change.value + text.slice(change.end);
}

describe('textReplacement', () => {
  const cases: [string, string][] = [
    ['abcdef', 'abXYef'],
    ['abc', 'abc-more'],
    ['abc', 'xabc'],
    ['aaaa', 'aa'],
    ['', 'new'],
    ['old', ''],
    ['{\n    "a": 1\n}\n', '{\n    "a": 1,\n    "b": 2\n}\n'],
    ['x😀y', 'x😁y']
  ];

  it.each(cases)('turns %j into %j', (before, after) => {
    const change = textReplacement(before, after)!;
    expect(apply(before, change)).toBe(after);
  });

  it('replaces only what changed', () => {
    expect(textReplacement('title: A, file', 'title: B, file')).toEqual({
      start: 7,
      end: 8,
      value: 'B'
    });
  });

  it('does not split surrogate pairs', () => {
    const change = textReplacement('x😀y', 'x😁y')!;
    expect(change.value).toBe('😁');
  });

  it('is null for equal texts', () => {
    expect(textReplacement('same', 'same')).toBeNull();
  });
});
