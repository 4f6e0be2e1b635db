import { INotebookLike, keepEditsOverRun } from '../model/keepEdits';

const code = (
  id: string | undefined,
  source: string,
  outputs: string[] = []
) => ({
  ...(id ? { id } : {}),
  cell_type: 'code',
  source,
  metadata: {},
  outputs: outputs.map(text => ({ output_type: 'stream', text })),
  execution_count: outputs.length ? 1 : null
});

const notebook = (cells: any[], metadata = {}): INotebookLike => ({
  cells,
  metadata,
  nbformat: 4,
  nbformat_minor: 5
});

describe('keepEditsOverRun', () => {
  it("keeps the user's sources and takes the run's outputs by cell id", () => {
    const edited = notebook([code('a', 'x = 2'), code('b', 'print(x)')]);
    const written = notebook([
      code('b', 'print(x)', ['1\n']),
      code('a', 'x = 1', [])
    ]);
    const merged = keepEditsOverRun(edited, written);
    expect(merged.cells.map(c => c.source)).toEqual(['x = 2', 'print(x)']);
    expect(merged.cells[1].outputs).toEqual([
      { output_type: 'stream', text: '1\n' }
    ]);
    expect(merged.cells[1].execution_count).toBe(1);
  });

  it('keeps cells the user added and drops those deleted', () => {
    const edited = notebook([
      code('a', 'x'),
      { id: 'm', cell_type: 'markdown', source: '# note', metadata: {} },
      code('new', 'y')
    ]);
    const written = notebook([
      code('a', 'x', ['out']),
      code('gone', 'z', ['z'])
    ]);
    const merged = keepEditsOverRun(edited, written);
    expect(merged.cells.map(c => c.id)).toEqual(['a', 'm', 'new']);
    expect(merged.cells[0].outputs).toHaveLength(1);
    expect(merged.cells[2].outputs).toEqual([]);
  });

  it('matches cells without ids by position when their number is the same', () => {
    const merged = keepEditsOverRun(
      notebook([code(undefined, 'edited')]),
      notebook([code(undefined, 'ran', ['done'])])
    );
    expect(merged.cells[0].source).toBe('edited');
    expect(merged.cells[0].outputs).toHaveLength(1);
  });

  it("keeps the run's notebook metadata under the user's", () => {
    const merged = keepEditsOverRun(
      notebook([], { a: 'user' }),
      notebook([], { a: 'run', b: 'run' })
    );
    expect(merged.metadata).toEqual({ a: 'user', b: 'run' });
  });
});
