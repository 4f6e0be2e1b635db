import {
  LiveOutputs,
  NotebookContext,
  applyCellEvent
} from '../live/LiveOutputs';
import { EventSchemas, ICellEvent } from '../model/events';
import { ShownCellEvents } from '../model/shownCellEvents';

/**
 * A stand-in for a notebook model: its cells' shared models mark the
 * notebook dirty on every change, as JupyterLab's do.
 */
class FakeNotebook {
  dirty = false;
  reverts = 0;
  cells: { type: string; id: string; sharedModel: FakeCell }[];

  constructor(ids: string[], types: string[] = ids.map(() => 'code')) {
    this.cells = ids.map((id, i) => ({
      type: types[i],
      id,
      sharedModel: new FakeCell(this)
    }));
  }

  get model(): any {
    const cells = this.cells;
    return {
      get dirty() {
        return notebook.dirty;
      },
      set dirty(value: boolean) {
        notebook.dirty = value;
      },
      cells: { length: cells.length, get: (i: number) => cells[i] }
    };
  }
}
let notebook: FakeNotebook;

class FakeCell {
  outputs: any[] = [];
  count: number | null = null;
  state = 'idle';
  log: string[] = [];
  constructor(private owner: FakeNotebook) {}
  getOutputs() {
    return JSON.parse(JSON.stringify(this.outputs));
  }
  updateOutputs(start: number, end: number, outputs: any[]) {
    this.log.push(`update ${start} ${end}`);
    this.outputs.splice(start, end - start, ...outputs);
    this.owner.dirty = true;
  }
  appendStreamOutput(index: number, text: string) {
    this.log.push(`append ${index}`);
    this.outputs[index] = {
      ...this.outputs[index],
      text: this.outputs[index].text + text
    };
    this.owner.dirty = true;
  }
  get execution_count() {
    return this.count;
  }
  set execution_count(value: number | null) {
    this.count = value;
    this.owner.dirty = true;
  }
  get executionState() {
    return this.state;
  }
  set executionState(value: string) {
    this.state = value;
  }
}

function cellEvent(
  index: number,
  text: string[],
  extra: Partial<ICellEvent> = {}
): ICellEvent {
  return {
    schema_id: EventSchemas.cell,
    run_id: 'r',
    step_uuid: 's',
    path: 'p/nb.ipynb',
    index,
    cell_id: `c${index}`,
    state: 'running',
    execution_count: null,
    outputs: [{ output_type: 'stream', name: 'stdout', text }],
    ...extra
  };
}

describe('applyCellEvent', () => {
  beforeEach(() => {
    notebook = new FakeNotebook(
      ['c0', 'c1', 'c2'],
      ['markdown', 'code', 'code']
    );
  });

  it('shows outputs as they grow, leaving a clean notebook clean', () => {
    const model = notebook.model;
    expect(applyCellEvent(model, cellEvent(1, ['tick 0\n']))).toBe(true);
    expect(notebook.dirty).toBe(false);
    applyCellEvent(model, cellEvent(1, ['tick 0\n', 'tick 1\n']));
    applyCellEvent(
      model,
      cellEvent(1, ['tick 0\n', 'tick 1\n'], {
        state: 'done',
        execution_count: 3
      })
    );
    const cell = notebook.cells[1].sharedModel;
    expect(cell.outputs).toEqual([
      { output_type: 'stream', name: 'stdout', text: 'tick 0\ntick 1\n' }
    ]);
    expect(cell.log).toEqual(['update 0 0', 'append 0']);
    expect(cell.count).toBe(3);
    expect(cell.state).toBe('idle');
    expect(notebook.dirty).toBe(false);
  });

  it('marks the running cell as running', () => {
    applyCellEvent(notebook.model, cellEvent(2, ['x']));
    expect(notebook.cells[2].sharedModel.state).toBe('running');
  });

  it('leaves a notebook with unsaved edits dirty', () => {
    notebook.dirty = true;
    applyCellEvent(notebook.model, cellEvent(1, ['x']));
    expect(notebook.dirty).toBe(true);
  });

  it('finds a moved cell by its id, and skips cells that are not code', () => {
    applyCellEvent(notebook.model, cellEvent(0, ['moved'], { cell_id: 'c2' }));
    expect(notebook.cells[2].sharedModel.outputs[0].text).toBe('moved');
    expect(
      applyCellEvent(notebook.model, cellEvent(0, ['x'], { cell_id: 'c0' }))
    ).toBe(false);
    expect(
      applyCellEvent(notebook.model, cellEvent(9, ['x'], { cell_id: null }))
    ).toBe(false);
  });
});

describe('applyCellEvent with events that carry only what is new', () => {
  const stdout = (text: string) => ({
    output_type: 'stream',
    name: 'stdout',
    text
  });
  const stderr = (text: string) => ({
    output_type: 'stream',
    name: 'stderr',
    text
  });
  const whole = (seq: number, outputs: unknown[]): ICellEvent => ({
    ...cellEvent(1, []),
    seq,
    outputs
  });
  const grown = (
    seq: number,
    output: number,
    text: string,
    after: unknown[] = []
  ): ICellEvent => ({
    ...cellEvent(1, []),
    seq,
    outputs: after,
    append: { output, text }
  });
  let shown: ShownCellEvents;
  const outputsOf = () => notebook.cells[1].sharedModel.outputs;

  beforeEach(() => {
    notebook = new FakeNotebook(['c0', 'c1']);
    shown = new ShownCellEvents();
  });

  it('grows the stream and puts new outputs after it, leaving the notebook clean', () => {
    const model = notebook.model;
    expect(applyCellEvent(model, whole(1, [stdout('a\n')]), shown)).toBe(true);
    expect(applyCellEvent(model, grown(2, 0, 'b\n'), shown)).toBe(true);
    expect(
      applyCellEvent(model, grown(3, 0, 'c\n', [stderr('oops\n')]), shown)
    ).toBe(true);
    expect(
      applyCellEvent(model, grown(4, 1, 'more\n', [stdout('d\n')]), shown)
    ).toBe(true);
    expect(outputsOf()).toEqual([
      stdout('a\nb\nc\n'),
      stderr('oops\nmore\n'),
      stdout('d\n')
    ]);
    expect(notebook.dirty).toBe(false);
  });

  it('skips what continues an event it did not see, until whole outputs come', () => {
    const model = notebook.model;
    applyCellEvent(model, whole(1, [stdout('a')]), shown);
    // Event 2 never reached this notebook (it was opened after it).
    expect(applyCellEvent(model, grown(3, 0, 'c'), shown)).toBe(false);
    expect(applyCellEvent(model, grown(4, 0, 'd'), shown)).toBe(false);
    expect(outputsOf()).toEqual([stdout('a')]);
    expect(applyCellEvent(model, whole(5, [stdout('abcde')]), shown)).toBe(
      true
    );
    expect(applyCellEvent(model, grown(6, 0, 'f'), shown)).toBe(true);
    expect(outputsOf()).toEqual([stdout('abcdef')]);
  });

  it('shows an event once, however often it comes', () => {
    const model = notebook.model;
    applyCellEvent(model, whole(1, [stdout('a')]), shown);
    expect(applyCellEvent(model, grown(2, 0, 'b'), shown)).toBe(true);
    expect(applyCellEvent(model, grown(2, 0, 'b'), shown)).toBe(false);
    expect(applyCellEvent(model, grown(3, 0, 'c'), shown)).toBe(true);
    expect(outputsOf()).toEqual([stdout('abc')]);
  });

  it('never appends to outputs the user cleared meanwhile', () => {
    const model = notebook.model;
    applyCellEvent(model, whole(1, [stdout('a')]), shown);
    notebook.cells[1].sharedModel.outputs = [];
    expect(applyCellEvent(model, grown(2, 0, 'b'), shown)).toBe(false);
    expect(applyCellEvent(model, grown(3, 0, 'c'), shown)).toBe(false);
    expect(outputsOf()).toEqual([]);
  });

  it('is not shown without knowing which events the notebook saw', () => {
    expect(applyCellEvent(notebook.model, grown(2, 0, 'b'))).toBe(false);
  });

  it('starts anew with each run of the step', () => {
    const model = notebook.model;
    applyCellEvent(model, whole(1, [stdout('a')]), shown);
    const otherRun = { ...grown(2, 0, 'b'), run_id: 'r2' };
    expect(applyCellEvent(model, otherRun, shown)).toBe(false);
    shown.forgetStep('r', 's');
    expect(applyCellEvent(model, grown(2, 0, 'b'), shown)).toBe(false);
  });
});

describe('LiveOutputs', () => {
  function context(dirty = false) {
    notebook = new FakeNotebook(['c0', 'c1']);
    notebook.dirty = dirty;
    const model = notebook.model;
    const ctx = {
      model,
      localPath: 'p/nb.ipynb',
      revert: async () => {
        notebook.reverts++;
        notebook.dirty = false;
      }
    };
    return { ctx: ctx as unknown as NotebookContext, nb: notebook };
  }

  const stepEnded = (status = 'SUCCESS') => ({
    schema_id: EventSchemas.step,
    run_id: 'r',
    pipeline_path: 'p/q.orchest',
    step_uuid: 's',
    status
  });

  it('fills open notebooks of the path, then reloads them from disk when the step ends', async () => {
    const { ctx, nb } = context();
    const applied: ICellEvent[] = [];
    const live = new LiveOutputs({
      findNotebooks: path => (path === 'p/nb.ipynb' ? [ctx] : []),
      onApplied: event => applied.push(event)
    });
    live.handleEvent(cellEvent(1, ['hello']));
    live.handleEvent({ ...cellEvent(1, ['other']), path: 'elsewhere.ipynb' });
    expect(applied).toHaveLength(1);
    expect(nb.cells[1].sharedModel.outputs[0].text).toBe('hello');
    live.handleEvent({ ...stepEnded(), status: 'STARTED' });
    expect(nb.reverts).toBe(0);
    live.handleEvent(stepEnded('FAILURE'));
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(nb.reverts).toBe(1);
  });

  it('reloads a notebook with unsaved edits and puts the edits back on top', async () => {
    const nb = (source: string, outputs: string[]) => ({
      cells: [
        {
          id: 'c0',
          cell_type: 'code',
          source,
          metadata: {},
          outputs: outputs.map(text => ({ output_type: 'stream', text })),
          execution_count: outputs.length ? 1 : null
        }
      ],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5
    });
    // In the page: the user's edit, with the outputs shown live.
    let content: any = nb('print(2)', ['1']);
    let dirty = true;
    const loaded: any[] = [];
    const ctx = {
      localPath: 'p/nb.ipynb',
      model: {
        get dirty() {
          return dirty;
        },
        set dirty(value: boolean) {
          dirty = value;
        },
        toJSON: () => content,
        fromJSON: (value: any) => {
          loaded.push(value);
          content = value;
          dirty = true;
        }
      },
      // On disk: what the run executed and wrote.
      revert: async () => {
        content = nb('print(1)', ['1\n']);
        dirty = false;
      }
    } as unknown as NotebookContext;
    const kept: NotebookContext[] = [];
    const live = new LiveOutputs({
      findNotebooks: () => [ctx],
      notebookOfStep: () => 'p/nb.ipynb',
      onEditsKept: c => kept.push(c)
    });
    live.handleEvent(stepEnded());
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(kept).toEqual([ctx]);
    expect(dirty).toBe(true);
    expect(content.cells[0].source).toBe('print(2)');
    expect(content.cells[0].outputs).toEqual([
      { output_type: 'stream', text: '1\n' }
    ]);
  });

  it('reloads the notebook of a step that ended before any cell event arrived', async () => {
    const { ctx, nb } = context();
    const live = new LiveOutputs({
      findNotebooks: () => [ctx],
      notebookOfStep: (run, step) =>
        run === 'r' && step === 's' ? 'p/nb.ipynb' : null
    });
    live.handleEvent(stepEnded());
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(nb.reverts).toBe(1);
  });
});
