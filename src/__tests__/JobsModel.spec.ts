import type { IJob, IJobRunPage, JobAction } from '../api';
import { JobRunsModel, applyRunEventToSummary } from '../model/JobRunsModel';
import { IJobRunEvent, IJobsSource, JobsModel } from '../model/JobsModel';
import { EventSchemas } from '../model/events';

function job(id: string, overrides: Partial<IJob> = {}): IJob {
  return {
    id,
    name: id,
    pipeline_path: 'p.orchest',
    status: 'STARTED',
    schedule: { cron: '0 3 * * *', timezone: 'UTC' },
    created_at: `2026-01-0${id.length}T00:00:00+00:00`,
    runs: { total: 0, queued: 0 },
    ...overrides
  };
}

/** A source whose answers the test releases. */
function source(listed: IJob[] = []): IJobsSource & {
  calls: string[];
  release: () => void;
} {
  const calls: string[] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>(resolve => {
    release = resolve;
  });
  return {
    calls,
    release: () => release(),
    list: async () => {
      calls.push('list');
      await gate;
      return listed;
    },
    get: async id => {
      calls.push(`get ${id}`);
      return job(id, { name: `fetched ${id}` });
    },
    create: async request => {
      calls.push(`create ${request.name}`);
      return job('new', { name: request.name });
    },
    delete: async id => {
      calls.push(`delete ${id}`);
    },
    act: async (id: string, action: JobAction) => {
      calls.push(`${action} ${id}`);
      return job(id, {
        status: action === 'pause' ? 'PAUSED' : 'STARTED',
        runs: { total: 0, queued: action === 'trigger' ? 2 : 0 }
      });
    }
  };
}

const tick = () => new Promise(resolve => setTimeout(resolve, 0));

function jobEvent(id: string, fields: Record<string, unknown>) {
  return { schema_id: EventSchemas.job, job_id: id, ...fields };
}

describe('JobsModel', () => {
  it('loads once, newest first, and later calls wait for that load', async () => {
    const api = source([job('a'), job('bbb'), job('cc')]);
    const model = new JobsModel({ source: api });
    const first = model.load();
    const second = model.load();
    expect(model.loading).toBe(true);
    api.release();
    await Promise.all([first, second]);
    await model.load();
    expect(api.calls).toEqual(['list']);
    expect(model.loaded).toBe(true);
    expect(model.jobs.map(j => j.id)).toEqual(['bbb', 'cc', 'a']);
  });

  it('follows job events: status, runs, next run, last run, disk use', async () => {
    const api = source([job('a')]);
    api.release();
    const model = new JobsModel({ source: api });
    await model.load();
    const changed: (string | null)[] = [];
    model.changed.connect((_, id) => changed.push(id));
    model.handleEvent(
      jobEvent('a', {
        status: 'SUCCESS',
        name: 'renamed',
        next_run_at: null,
        runs: { total: 3, SUCCESS: 3, queued: 0 },
        last_run: { id: 'r3', status: 'SUCCESS', finished_at: 'x' },
        disk_bytes: 1234
      })
    );
    expect(model.get('a')).toMatchObject({
      status: 'SUCCESS',
      name: 'renamed',
      next_run_at: null,
      runs: { total: 3, SUCCESS: 3 },
      last_run: { id: 'r3' },
      disk_bytes: 1234,
      // What events do not carry stays.
      schedule: { cron: '0 3 * * *', timezone: 'UTC' }
    });
    expect(changed).toEqual(['a']);
    // Other messages are ignored.
    model.handleEvent({ schema_id: 'https://example.org/x', job_id: 'a' });
    model.handleEvent(null);
    expect(changed).toEqual(['a']);
  });

  it('fetches a job first heard of in an event, and removes deleted ones', async () => {
    const api = source([job('a')]);
    api.release();
    const model = new JobsModel({ source: api });
    await model.load();
    model.handleEvent(jobEvent('zz', { status: 'STARTED' }));
    model.handleEvent(jobEvent('zz', { status: 'STARTED' }));
    await tick();
    expect(api.calls).toEqual(['list', 'get zz']);
    expect(model.get('zz')?.name).toBe('fetched zz');
    model.handleEvent(jobEvent('a', { status: 'DELETED' }));
    expect(model.get('a')).toBeUndefined();
    // A late event of a deleted job does not bring it back.
    model.handleEvent(jobEvent('a', { status: 'STARTED' }));
    await tick();
    expect(model.get('a')).toBeUndefined();
    expect(api.calls).toEqual(['list', 'get zz']);
  });

  it('replays events that came while the list loaded over the list', async () => {
    const api = source([job('a', { status: 'STARTED', runs: { total: 0 } })]);
    const model = new JobsModel({ source: api });
    const loading = model.load();
    model.handleEvent(
      jobEvent('a', { status: 'SUCCESS', runs: { total: 1, SUCCESS: 1 } })
    );
    api.release();
    await loading;
    expect(model.get('a')).toMatchObject({
      status: 'SUCCESS',
      runs: { total: 1, SUCCESS: 1 }
    });
  });

  it("keeps what events said when an action's answer is older", async () => {
    const api = source([job('a')]);
    api.release();
    const model = new JobsModel({ source: api });
    await model.load();
    // The answer to the trigger comes after the events of its runs.
    let answer: (value: IJob) => void = () => undefined;
    api.act = () =>
      new Promise<IJob>(resolve => {
        answer = resolve;
      });
    const acting = model.act('a', 'trigger');
    model.handleEvent(
      jobEvent('a', {
        status: 'STARTED',
        runs: { total: 2, SUCCESS: 2, queued: 0 }
      })
    );
    answer(
      job('a', { name: 'from the answer', runs: { total: 0, queued: 2 } })
    );
    const result = await acting;
    expect(result.runs).toEqual({ total: 2, SUCCESS: 2, queued: 0 });
    expect(model.get('a')).toMatchObject({
      name: 'from the answer',
      runs: { total: 2, SUCCESS: 2, queued: 0 }
    });
    // With no event meanwhile, the answer is taken whole.
    api.act = async () => job('a', { status: 'PAUSED', next_run_at: null });
    await model.act('a', 'pause');
    expect(model.get('a')?.status).toBe('PAUSED');
  });

  it('creates and deletes jobs', async () => {
    const api = source([job('a')]);
    api.release();
    const model = new JobsModel({ source: api });
    await model.load();
    const made = await model.create({
      name: 'nightly',
      pipeline_path: 'p.orchest'
    });
    expect(made.name).toBe('nightly');
    expect(model.get('new')).toBeDefined();
    await model.delete('a');
    expect(model.get('a')).toBeUndefined();
    expect(api.calls).toEqual(['list', 'create nightly', 'delete a']);
  });

  it('passes on run and step events of job runs, and only those', async () => {
    const model = new JobsModel({ source: source() });
    const heard: IJobRunEvent[] = [];
    model.runEvent.connect((_, news) => heard.push(news));
    const run = {
      schema_id: EventSchemas.run,
      run_id: 'r1',
      pipeline_path: 'p.orchest',
      status: 'STARTED',
      kind: 'job',
      job_id: 'a'
    };
    model.handleEvent(run);
    model.handleEvent({
      ...run,
      run_id: 'r2',
      kind: 'interactive',
      job_id: null
    });
    model.handleEvent({
      schema_id: EventSchemas.step,
      run_id: 'r1',
      pipeline_path: 'p.orchest',
      step_uuid: 's',
      status: 'SUCCESS'
    });
    model.handleEvent({
      schema_id: EventSchemas.step,
      run_id: 'r2',
      pipeline_path: 'p.orchest',
      step_uuid: 's',
      status: 'SUCCESS'
    });
    expect(heard.map(n => [n.jobId, n.runId, n.event.schema_id])).toEqual([
      ['a', 'r1', EventSchemas.run],
      ['a', 'r1', EventSchemas.step]
    ]);
  });
});

describe('JobRunsModel', () => {
  function summary(
    id: string,
    status: 'PENDING' | 'STARTED' | 'SUCCESS' = 'SUCCESS'
  ) {
    return {
      id,
      pipeline_path: 'p.orchest',
      status,
      kind: 'job' as const,
      job_id: 'a',
      steps: {},
      parameters: { pipeline: { x: id } }
    };
  }

  function setup(pages: (offset: number) => IJobRunPage) {
    const api = source([job('a', { runs: { total: 45 } })]);
    api.release();
    const jobs = new JobsModel({ source: api });
    const asked: { offset: number; limit: number }[] = [];
    const runs = new JobRunsModel({
      jobId: 'a',
      jobs,
      limit: 20,
      source: async (_, page) => {
        asked.push(page);
        return pages(page.offset);
      }
    });
    return { jobs, runs, asked };
  }

  it('loads pages newest first and moves between them', async () => {
    const { runs, asked } = setup(offset => ({
      runs: Array.from({ length: offset >= 40 ? 5 : 20 }, (_, i) =>
        summary(`r${offset + i}`)
      ),
      total: 45,
      offset
    }));
    await runs.load(0);
    expect(runs.runs).toHaveLength(20);
    expect(runs.hasPrevious).toBe(false);
    expect(runs.hasNext).toBe(true);
    await runs.next();
    await runs.next();
    expect(runs.offset).toBe(40);
    expect(runs.runs).toHaveLength(5);
    expect(runs.hasNext).toBe(false);
    await runs.previous();
    expect(runs.offset).toBe(20);
    expect(asked.map(a => a.offset)).toEqual([0, 20, 40, 20]);
    expect(asked.every(a => a.limit === 20)).toBe(true);
  });

  it('follows run events of its listed runs; a new run reloads the first page', async () => {
    let total = 1;
    const { jobs, runs, asked } = setup(offset => ({
      runs:
        total === 1
          ? [summary('r1', 'STARTED')]
          : [summary('r2', 'PENDING'), summary('r1')],
      total,
      offset
    }));
    await jobs.load();
    await runs.load(0);
    jobs.handleEvent({
      schema_id: EventSchemas.run,
      run_id: 'r1',
      pipeline_path: 'p.orchest',
      status: 'SUCCESS',
      kind: 'job',
      job_id: 'a',
      finished_at: '2026-01-01T00:00:05+00:00',
      progress: { done: 5, total: 5 }
    });
    expect(runs.get('r1')).toMatchObject({
      status: 'SUCCESS',
      finished_at: '2026-01-01T00:00:05+00:00',
      progress: { done: 5, total: 5 }
    });
    // An event of another job's run changes nothing.
    jobs.handleEvent({
      schema_id: EventSchemas.run,
      run_id: 'x',
      pipeline_path: 'p.orchest',
      status: 'STARTED',
      kind: 'job',
      job_id: 'other'
    });
    expect(asked).toHaveLength(1);
    total = 2;
    jobs.handleEvent({
      schema_id: EventSchemas.run,
      run_id: 'r2',
      pipeline_path: 'p.orchest',
      status: 'PENDING',
      kind: 'job',
      job_id: 'a'
    });
    await tick();
    expect(asked).toHaveLength(2);
    expect(runs.runs.map(r => r.id)).toEqual(['r2', 'r1']);
    expect(runs.total).toBe(2);
    runs.dispose();
  });

  it('keeps what events said over a listing that lags behind them', async () => {
    // The store has not written the run's end yet when the page is read.
    const { jobs, runs } = setup(offset => ({
      runs: [summary('r1', 'STARTED')],
      total: 1,
      offset
    }));
    await jobs.load();
    jobs.handleEvent({
      schema_id: EventSchemas.run,
      run_id: 'r1',
      pipeline_path: 'p.orchest',
      status: 'SUCCESS',
      kind: 'job',
      job_id: 'a',
      finished_at: '2026-01-01T00:00:05+00:00'
    });
    // An older event coming late changes nothing either.
    jobs.handleEvent({
      schema_id: EventSchemas.run,
      run_id: 'r1',
      pipeline_path: 'p.orchest',
      status: 'STARTED',
      kind: 'job',
      job_id: 'a'
    });
    await runs.load(0);
    expect(runs.get('r1')).toMatchObject({
      status: 'SUCCESS',
      finished_at: '2026-01-01T00:00:05+00:00'
    });
  });

  it('loads again when the count of the job changes (runs deleted by retention)', async () => {
    let total = 3;
    const { jobs, runs, asked } = setup(offset => ({
      runs: Array.from({ length: total }, (_, i) => summary(`r${i}`)),
      total,
      offset
    }));
    await jobs.load();
    await runs.load(0);
    total = 1;
    jobs.handleEvent(
      jobEvent('a', { status: 'STARTED', runs: { total: 1, SUCCESS: 1 } })
    );
    await tick();
    expect(asked).toHaveLength(2);
    expect(runs.runs).toHaveLength(1);
  });

  it('goes to the last page when its page is past the end', async () => {
    const { runs, asked } = setup(offset => ({
      runs: offset >= 20 ? [] : [summary('r0')],
      total: 1,
      offset
    }));
    await runs.load(40);
    expect(asked.map(a => a.offset)).toEqual([40, 0]);
    expect(runs.offset).toBe(0);
    expect(runs.runs).toHaveLength(1);
  });

  it('never moves a status back', () => {
    const done = { ...summary('r1'), status: 'SUCCESS' as const };
    const event = {
      schema_id: EventSchemas.run as typeof EventSchemas.run,
      run_id: 'r1',
      pipeline_path: 'p.orchest',
      status: 'STARTED' as const
    };
    expect(applyRunEventToSummary(done, event).status).toBe('SUCCESS');
  });
});
