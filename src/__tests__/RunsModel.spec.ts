import type { IRun, IRunSummary } from '../api';
import { IRunsSource, RunsModel } from '../model/RunsModel';
import { EventSchemas } from '../model/events';
import { IRunState } from '../model/runState';

function run(
  id: string,
  path: string,
  created: string,
  status: IRun['status'] = 'PENDING'
): IRun {
  return {
    id,
    pipeline_path: path,
    status,
    created_at: created,
    steps: [{ uuid: 's', title: 'S', file_path: 's.py', status: 'PENDING' }]
  };
}

function source(
  overrides: Partial<IRunsSource> = {}
): IRunsSource & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    start: async request => {
      calls.push(`start ${request.mode}`);
      return run('new', request.pipeline_path, '2026-01-02T00:00:00Z');
    },
    get: async id => {
      calls.push(`get ${id}`);
      return run(id, 'p.orchest', '2026-01-01T00:00:00Z', 'STARTED');
    },
    list: async () => {
      calls.push('list');
      return [] as IRunSummary[];
    },
    cancel: async id => {
      calls.push(`cancel ${id}`);
      return {
        ...run(id, 'p.orchest', '2026-01-01T00:00:00Z'),
        status: 'ABORTED'
      };
    },
    ...overrides
  };
}

describe('RunsModel', () => {
  it('follows events and fetches a run it had not heard of, once', async () => {
    const api = source();
    const model = new RunsModel({ source: api });
    const changed: IRunState[] = [];
    model.changed.connect((_, state) => changed.push(state));
    model.handleEvent({
      schema_id: EventSchemas.step,
      run_id: 'r1',
      pipeline_path: 'p.orchest',
      step_uuid: 's',
      status: 'STARTED'
    });
    model.handleEvent({
      schema_id: EventSchemas.run,
      run_id: 'r1',
      pipeline_path: 'p.orchest',
      status: 'STARTED'
    });
    // Unrelated bus messages are ignored.
    model.handleEvent({ schema_id: 'https://example.org/other', run_id: 'r1' });
    model.handleEvent(null);
    expect(model.get('r1')?.steps.s.status).toBe('STARTED');
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(api.calls).toEqual(['get r1']);
    expect(model.get('r1')?.complete).toBe(true);
    expect(changed.length).toBeGreaterThanOrEqual(3);
  });

  it('knows the latest and the active runs of each pipeline', async () => {
    const model = new RunsModel({
      source: source({
        list: async () => [
          {
            ...run('old', 'p.orchest', '2026-01-01T00:00:00Z', 'SUCCESS'),
            steps: { SUCCESS: 1 }
          },
          {
            ...run('newer', 'p.orchest', '2026-01-03T00:00:00Z', 'STARTED'),
            steps: { STARTED: 1 }
          },
          {
            ...run('other', 'q.orchest', '2026-01-02T00:00:00Z', 'FAILURE'),
            steps: { FAILURE: 1 }
          }
        ]
      })
    });
    await model.refresh();
    expect(model.latest('p.orchest')?.id).toBe('newer');
    expect(model.latest('q.orchest')?.id).toBe('other');
    expect(model.latest('none.orchest')).toBeUndefined();
    expect(model.active().map(r => r.id)).toEqual(['newer']);
    expect(model.active('q.orchest')).toEqual([]);
    expect(model.runs.map(r => r.id)).toEqual(['newer', 'other', 'old']);
  });

  it("leaves runs of jobs out of a pipeline's latest and active runs", async () => {
    const model = new RunsModel({
      source: source({
        list: async () => [
          {
            ...run('mine', 'p.orchest', '2026-01-01T00:00:00Z', 'SUCCESS'),
            steps: { SUCCESS: 1 }
          },
          {
            ...run('job-run', 'p.orchest', '2026-01-03T00:00:00Z', 'STARTED'),
            kind: 'job',
            job_id: 'j1',
            steps: { STARTED: 1 }
          }
        ]
      })
    });
    await model.refresh('p.orchest');
    expect(model.get('job-run')).toMatchObject({ kind: 'job', jobId: 'j1' });
    expect(model.latest('p.orchest')?.id).toBe('mine');
    expect(model.active('p.orchest')).toEqual([]);
    expect(model.active()).toEqual([]);
    // A job run first heard of in an event is left out too.
    model.handleEvent({
      schema_id: EventSchemas.run,
      run_id: 'job-run-2',
      pipeline_path: 'p.orchest',
      status: 'STARTED',
      kind: 'job',
      job_id: 'j1',
      created_at: '2026-01-04T00:00:00Z'
    });
    expect(model.latest('p.orchest')?.id).toBe('mine');
    // Every run stays listed (the sidebar's history shows them all).
    expect(model.runs.map(r => r.id)).toEqual(['job-run-2', 'job-run', 'mine']);
  });

  it('starts and cancels runs through the API', async () => {
    const api = source();
    const model = new RunsModel({ source: api });
    const started = await model.start({
      pipeline_path: 'p.orchest',
      mode: 'selection',
      steps: ['s']
    });
    expect(started.id).toBe('new');
    expect(model.latest('p.orchest')?.id).toBe('new');
    const cancelled = await model.cancel('new');
    expect(cancelled.status).toBe('ABORTED');
    expect(api.calls).toEqual(['start selection', 'cancel new']);
  });

  it('passes refused runs on to the caller', async () => {
    const model = new RunsModel({
      source: source({
        start: async () => {
          throw new Error('p.orchest is not valid (1 error)');
        }
      })
    });
    await expect(
      model.start({ pipeline_path: 'p.orchest', mode: 'full' })
    ).rejects.toThrow('not valid');
    expect(model.runs).toEqual([]);
  });
});
