import type { IPipelineData, IStoredOutput } from '../api';
import {
  DataOutputsModel,
  describeOutput,
  formatBytes
} from '../model/DataOutputsModel';
import { IRunState } from '../model/runState';

function output(overrides: Partial<IStoredOutput> = {}): IStoredOutput {
  return {
    step: 'load',
    title: 'Load',
    name: 'weather',
    transport: 'memory',
    serialization: 'ARROW_TABLE',
    type: 'DataFrame',
    bytes: 1234,
    timestamp: '2026-11-30T08:00:00',
    fingerprint: 'f',
    run: 'r1',
    current: true,
    up_to_date: true,
    summary: { type: 'DataFrame', shape: [30, 3] },
    ...overrides
  };
}

function data(outputs: IStoredOutput[]): IPipelineData {
  return {
    path: 'p.orchest',
    pipeline_uuid: 'p',
    outputs,
    totals: {
      outputs: outputs.length,
      memory_bytes: 0,
      disk_bytes: 0,
      memory_budget_bytes: 1e9
    }
  };
}

function run(id: string, statuses: Record<string, string>): IRunState {
  const steps: Record<string, unknown> = {};
  for (const [uuid, status] of Object.entries(statuses)) {
    steps[uuid] = { uuid, title: uuid, filePath: '', status };
  }
  return { id, pipelinePath: 'p.orchest', steps } as unknown as IRunState;
}

describe('describeOutput', () => {
  it('names the output, its type, shape, size and transport', () => {
    const label = describeOutput(output());
    expect(label.text).toBe('weather · DataFrame 30×3 · 1.2 kB · memory');
    expect(label.lines).toEqual([
      'weather · DataFrame 30×3',
      '1.2 kB · memory'
    ]);
    expect(label.stale).toBe(false);
    expect(label.description).toContain("'Load' passes weather");
  });

  it('marks an output that is not up to date', () => {
    const label = describeOutput(output({ up_to_date: false }));
    expect(label.stale).toBe(true);
    expect(label.text.endsWith(' · stale')).toBe(true);
    expect(label.description).toContain('Not up to date');
  });

  it('shows arrays with their shape and objects with their length', () => {
    const array = output({
      name: null,
      serialization: 'PICKLE',
      type: 'pickle',
      bytes: 200,
      summary: { type: 'ndarray', shape: [6, 4], dtype: 'int64' }
    });
    expect(describeOutput(array).text).toBe(
      'unnamed · ndarray 6×4 · 200 B · memory'
    );
    const object = output({
      transport: 'disk',
      serialization: 'PICKLE',
      type: 'pickle',
      summary: { type: 'pickled object', class: 'builtins.dict', length: 3 }
    });
    expect(describeOutput(object).text).toBe(
      'weather · pickled object len 3 · 1.2 kB · disk'
    );
    expect(describeOutput(object).description).toContain('(builtins.dict)');
  });

  it('falls back to the stored type for outputs written by Orchest', () => {
    const orchest = output({ type: null, summary: null, bytes: 5_000_000 });
    expect(describeOutput(orchest).text).toBe(
      'weather · Arrow table · 5.0 MB · memory'
    );
  });
});

describe('formatBytes', () => {
  it('uses decimal units', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1000)).toBe('1.0 kB');
    expect(formatBytes(1_073_741_824)).toBe('1.1 GB');
  });
});

describe('DataOutputsModel', () => {
  it('labels the current output of each step, not the older one', async () => {
    const source = {
      outputs: jest.fn(async () =>
        data([
          output(),
          output({ transport: 'disk', current: false, name: 'old' })
        ])
      )
    };
    const model = new DataOutputsModel({ source, path: () => 'p.orchest' });
    await model.refresh();
    expect(source.outputs).toHaveBeenCalledWith('p.orchest');
    expect([...model.labels.keys()]).toEqual(['load']);
    expect(model.labels.get('load')!.text).toContain('weather');
  });

  it('reads the outputs again when a run finishes a step, once per step', async () => {
    let written = [output({ bytes: 10 })];
    const source = { outputs: jest.fn(async () => data(written)) };
    const model = new DataOutputsModel({ source, path: () => 'p.orchest' });
    const changes: string[] = [];
    model.changed.connect(() => changes.push(model.labels.get('load')!.text));
    await model.refresh();

    model.noteRun(run('r2', { load: 'STARTED' }));
    expect(source.outputs).toHaveBeenCalledTimes(1);

    written = [output({ bytes: 2000, run: 'r2' })];
    model.noteRun(run('r2', { load: 'SUCCESS' }));
    model.noteRun(run('r2', { load: 'SUCCESS' }));
    await model.refresh();
    expect(changes).toEqual([
      'weather · DataFrame 30×3 · 10 B · memory',
      'weather · DataFrame 30×3 · 2.0 kB · memory'
    ]);
    // One read for the run's step and the one asked for while it was going.
    expect(source.outputs).toHaveBeenCalledTimes(3);
  });

  it('keeps its labels when the server cannot be read', async () => {
    let fail = false;
    const source = {
      outputs: jest.fn(async () => {
        if (fail) {
          throw new Error('offline');
        }
        return data([output()]);
      })
    };
    const model = new DataOutputsModel({ source, path: () => 'p.orchest' });
    await model.refresh();
    fail = true;
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    await model.refresh();
    warn.mockRestore();
    expect(model.labels.get('load')!.text).toContain('weather');
  });
});
