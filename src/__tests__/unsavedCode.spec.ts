import {
  notebookCodeDiffers,
  runnableContentDiffers
} from '../model/unsavedCode';

const notebook = (sources: string[], metadata: object = {}) => ({
  cells: sources.map(source => ({
    cell_type: 'code',
    source,
    outputs: [],
    metadata: {}
  })),
  metadata,
  nbformat: 4,
  nbformat_minor: 5
});

describe('notebookCodeDiffers', () => {
  it('ignores metadata the kernel filled in and outputs', () => {
    const onDisk = notebook(['print(1)']);
    const open = notebook(['print(1)'], {
      language_info: { name: 'python', version: '3.11.7' }
    });
    (open.cells[0] as any).outputs = [{ output_type: 'stream', text: '1' }];
    expect(notebookCodeDiffers(open, onDisk)).toBe(false);
  });

  it('compares multiline sources as text', () => {
    const onDisk = { cells: [{ cell_type: 'code', source: ['a\n', 'b'] }] };
    expect(notebookCodeDiffers(notebook(['a\nb']), onDisk)).toBe(false);
    expect(notebookCodeDiffers(notebook(['a\nc']), onDisk)).toBe(true);
  });

  it('sees added cells and changed cell types', () => {
    expect(notebookCodeDiffers(notebook(['a', 'b']), notebook(['a']))).toBe(
      true
    );
    const markdown = notebook(['a']);
    (markdown.cells[0] as any).cell_type = 'markdown';
    expect(notebookCodeDiffers(markdown, notebook(['a']))).toBe(true);
  });

  it('reads notebook text and counts unknown shapes as different', () => {
    expect(
      notebookCodeDiffers(notebook(['x']), JSON.stringify(notebook(['x'])))
    ).toBe(false);
    expect(notebookCodeDiffers(notebook(['x']), 'not json')).toBe(true);
    expect(notebookCodeDiffers(null, notebook(['x']))).toBe(true);
  });
});

describe('runnableContentDiffers', () => {
  it('compares scripts by their text', () => {
    expect(runnableContentDiffers('a.py', 'x = 1\n', 'x = 1\n')).toBe(false);
    expect(runnableContentDiffers('a.py', 'x = 2\n', 'x = 1\n')).toBe(true);
  });

  it('compares notebooks by their cells', () => {
    expect(
      runnableContentDiffers(
        'a.ipynb',
        notebook(['x'], { a: 1 }),
        notebook(['x'])
      )
    ).toBe(false);
  });
});
