import {
  FilePaletteModel,
  IFolderEntry,
  PALETTE_MAX_FILES,
  findStepFiles,
  matchesFilter
} from '../model/FilePaletteModel';

/** A fake folder tree: folder path -> entries. */
function tree(spec: Record<string, string[]>) {
  const listed: string[] = [];
  const list = async (folder: string): Promise<IFolderEntry[]> => {
    listed.push(folder);
    return (spec[folder] ?? []).map(name => {
      const directory = name.endsWith('/');
      const clean = directory ? name.slice(0, -1) : name;
      return {
        name: clean,
        path: folder ? `${folder}/${clean}` : clean,
        type: directory ? 'directory' : 'file'
      };
    });
  };
  return { list, listed };
}

describe('findStepFiles', () => {
  it('lists notebooks and scripts of the folder and its subfolders, not hidden ones', async () => {
    const { list, listed } = tree({
      proj: [
        'train.ipynb',
        'data.csv',
        'models/',
        '.orchest/',
        'load.py',
        '__pycache__/'
      ],
      'proj/models': ['fit.R', 'README.md', 'deep/'],
      'proj/models/deep': ['net.sh'],
      'proj/.orchest': ['hidden.py']
    });
    const { files, truncated } = await findStepFiles('proj', list);
    expect(files).toEqual([
      'proj/load.py',
      'proj/train.ipynb',
      'proj/models/fit.R',
      'proj/models/deep/net.sh'
    ]);
    expect(truncated).toBe(false);
    expect(listed).not.toContain('proj/.orchest');
    expect(listed).not.toContain('proj/__pycache__');
  });

  it('stops at a bounded number of files', async () => {
    const many = Array.from(
      { length: PALETTE_MAX_FILES + 20 },
      (_, i) => `s${i}.py`
    );
    const { files, truncated } = await findStepFiles(
      '',
      tree({ '': many }).list
    );
    expect(files).toHaveLength(PALETTE_MAX_FILES);
    expect(truncated).toBe(true);
  });
});

describe('matchesFilter', () => {
  it('matches every word, in any case, anywhere in the path', () => {
    expect(matchesFilter('models/Train.ipynb', 'train')).toBe(true);
    expect(matchesFilter('models/Train.ipynb', 'mod  TRAIN')).toBe(true);
    expect(matchesFilter('models/Train.ipynb', 'load')).toBe(false);
    expect(matchesFilter('anything.py', '  ')).toBe(true);
  });
});

describe('FilePaletteModel', () => {
  it('loads, filters relative to its folder, and reports errors', async () => {
    const { list } = tree({ p: ['a.py', 'sub/'], 'p/sub': ['p.ipynb'] });
    const model = new FilePaletteModel(list);
    let changes = 0;
    model.changed.connect(() => changes++);
    await model.load('p');
    expect(model.files).toEqual(['p/a.py', 'p/sub/p.ipynb']);
    // The folder's own name does not match everything.
    model.filter = 'p';
    expect(model.shown).toEqual(['p/a.py', 'p/sub/p.ipynb']);
    model.filter = 'ipynb';
    expect(model.shown).toEqual(['p/sub/p.ipynb']);
    expect(model.label('p/sub/p.ipynb')).toBe('sub/p.ipynb');
    expect(changes).toBeGreaterThan(2);

    const failing = new FilePaletteModel(async () => {
      throw new Error('forbidden');
    });
    await failing.load('x');
    expect(failing.error).toMatch(/forbidden/);
    expect(failing.loading).toBe(false);
    expect(new FilePaletteModel(null).available).toBe(false);
  });
});
