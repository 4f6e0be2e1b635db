import {
  baseName,
  firstUnusedName,
  folderOf,
  joinPath,
  normalizePath,
  relativePath,
  stem
} from '../model/paths';

describe('paths', () => {
  it('normalize', () => {
    expect(normalizePath('a//b/./c/../d')).toBe('a/b/d');
    expect(normalizePath('../x')).toBe('../x');
    expect(normalizePath('a/../../x')).toBe('../x');
  });

  it('join, split and name', () => {
    expect(joinPath('proj', 'nb/a.ipynb')).toBe('proj/nb/a.ipynb');
    expect(joinPath('', 'a.ipynb')).toBe('a.ipynb');
    expect(joinPath('proj/sub', '../a.py')).toBe('proj/a.py');
    expect(folderOf('proj/p.orchest')).toBe('proj');
    expect(folderOf('p.orchest')).toBe('');
    expect(baseName('a/b/c.py')).toBe('c.py');
    expect(stem('a/b/load.data.ipynb')).toBe('load.data');
    expect(stem('.hidden')).toBe('.hidden');
  });

  it('make paths relative to a folder', () => {
    expect(relativePath('proj', 'proj/a.ipynb')).toBe('a.ipynb');
    expect(relativePath('proj', 'proj/nb/a.ipynb')).toBe('nb/a.ipynb');
    expect(relativePath('proj/pipelines', 'proj/a.ipynb')).toBe('../a.ipynb');
    expect(relativePath('', 'a/b.py')).toBe('a/b.py');
  });
});

describe('firstUnusedName', () => {
  it('takes the smallest free number', () => {
    expect(firstUnusedName(new Set(), 'step', '.ipynb')).toBe('step1.ipynb');
    expect(
      firstUnusedName(
        new Set(['step1.ipynb', 'step3.ipynb', 'step2.py']),
        'step',
        '.ipynb'
      )
    ).toBe('step2.ipynb');
  });
});
