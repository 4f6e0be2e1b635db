import { APIError } from '../api';
import type { IJob } from '../api';
import { fakeServer, json } from './fakeServer';

const BASE = 'http://localhost:8888/lab-base/orchest-lab/api';
const JOB_ID = '0b0e4c1a-3c5f-4d9e-8a7b-6c5d4e3f2a1b';
const RUN_ID = '13df26e3-d2ab-43a4-9155-ba403095a485';

const JOB: IJob = {
  id: JOB_ID,
  name: 'nightly',
  pipeline_path: 'proj/p.orchest',
  project: 'proj',
  status: 'STARTED',
  schedule: { cron: '0 3 * * *', timezone: 'Europe/Amsterdam' },
  runs: { total: 0, queued: 0 }
};

describe('JobsAPI', () => {
  it('lists jobs, and reads an answer without jobs as none', async () => {
    const { api, calls } = fakeServer(() => json(200, { jobs: [JOB] }));
    await expect(api.jobs.list()).resolves.toEqual([JOB]);
    expect(calls[0].url).toBe(`${BASE}/jobs`);
    expect(calls[0].method).toBe('GET');
    const empty = fakeServer(() => json(200, {}));
    await expect(empty.api.jobs.list()).resolves.toEqual([]);
  });

  it('creates a job with POST jobs and the request as JSON', async () => {
    const { api, calls } = fakeServer(() => json(201, JOB));
    const request = {
      name: 'nightly',
      pipeline_path: 'proj/p.orchest',
      parameters: { pipeline: { rate: [0.1, 0.2] } },
      combinations: [{ pipeline: { rate: 0.1 }, steps: {} }],
      schedule: { cron: '0 3 * * *', timezone: 'Europe/Amsterdam' }
    };
    await expect(api.jobs.create(request)).resolves.toEqual(JOB);
    expect(calls[0].method).toBe('POST');
    expect(calls[0].url).toBe(`${BASE}/jobs`);
    expect(JSON.parse(calls[0].body!)).toEqual(request);
  });

  it('turns a refused job into an APIError whose issues point at fields', async () => {
    const issues = [
      {
        severity: 'error',
        code: 'invalid-schedule',
        message: "'nope' is not a cron expression",
        step_uuid: null,
        pointer: '/schedule/cron'
      }
    ];
    const { api } = fakeServer(() =>
      json(400, { message: "'nope' is not a cron expression", issues })
    );
    const error = await api.jobs
      .create({ name: 'j', pipeline_path: 'p.orchest' })
      .catch(e => e);
    expect(error).toBeInstanceOf(APIError);
    expect(error.status).toBe(400);
    expect(error.issues[0].pointer).toBe('/schedule/cron');
  });

  it('gets, changes and deletes a job', async () => {
    const { api, calls } = fakeServer(call =>
      call.method === 'DELETE' ? json(204, null) : json(200, JOB)
    );
    await api.jobs.get(JOB_ID);
    await api.jobs.update(JOB_ID, { name: 'renamed', max_retained_runs: 3 });
    await expect(api.jobs.delete(JOB_ID)).resolves.toBeUndefined();
    expect(calls.map(c => `${c.method} ${c.url}`)).toEqual([
      `GET ${BASE}/jobs/${JOB_ID}`,
      `PUT ${BASE}/jobs/${JOB_ID}`,
      `DELETE ${BASE}/jobs/${JOB_ID}`
    ]);
    expect(JSON.parse(calls[1].body!)).toEqual({
      name: 'renamed',
      max_retained_runs: 3
    });
  });

  it('pauses, resumes, triggers and cancels with POST jobs/<id>/<action>', async () => {
    const { api, calls } = fakeServer(() => json(200, JOB));
    await api.jobs.pause(JOB_ID);
    await api.jobs.resume(JOB_ID);
    await api.jobs.trigger(JOB_ID);
    await api.jobs.cancel(JOB_ID);
    expect(calls.map(c => `${c.method} ${c.url}`)).toEqual(
      ['pause', 'resume', 'trigger', 'cancel'].map(
        action => `POST ${BASE}/jobs/${JOB_ID}/${action}`
      )
    );
  });

  it('reads a page of runs with offset and limit', async () => {
    const page = {
      runs: [
        {
          id: RUN_ID,
          pipeline_path: 'proj/p.orchest',
          status: 'SUCCESS',
          kind: 'job',
          job_id: JOB_ID,
          parameters: { pipeline: { rate: 0.1 } },
          steps: { SUCCESS: 2 }
        }
      ],
      total: 41,
      offset: 20
    };
    const { api, calls } = fakeServer(() => json(200, page));
    await expect(
      api.jobs.runs(JOB_ID, { offset: 20, limit: 20 })
    ).resolves.toEqual(page);
    expect(calls[0].url).toBe(`${BASE}/jobs/${JOB_ID}/runs?offset=20&limit=20`);
    await api.jobs.runs(JOB_ID);
    expect(calls[1].url).toBe(`${BASE}/jobs/${JOB_ID}/runs`);
  });

  it('gets a run, and deletes an ended one (204) or cancels a running one', async () => {
    const run = {
      id: RUN_ID,
      pipeline_path: 'p.orchest',
      status: 'ABORTED',
      steps: []
    };
    let deleteAnswer = json(204, null);
    const { api, calls } = fakeServer(call =>
      call.method === 'DELETE' ? deleteAnswer : json(200, run)
    );
    await expect(api.jobs.run(JOB_ID, RUN_ID)).resolves.toEqual(run);
    expect(calls[0].url).toBe(`${BASE}/jobs/${JOB_ID}/runs/${RUN_ID}`);
    await expect(api.jobs.deleteRun(JOB_ID, RUN_ID)).resolves.toBeNull();
    deleteAnswer = json(200, run);
    await expect(api.jobs.deleteRun(JOB_ID, RUN_ID)).resolves.toEqual(run);
  });

  it("builds a run file's URL with each segment encoded, and reads the file", async () => {
    const { api, calls } = fakeServer(
      () => new Response('{"cells": []}', { status: 200 })
    );
    const url = api.jobs.fileURL(JOB_ID, RUN_ID, 'sub dir/a#1.ipynb');
    expect(url).toBe(
      `${BASE}/jobs/${JOB_ID}/runs/${RUN_ID}/files/sub%20dir/a%231.ipynb`
    );
    await expect(
      api.jobs.fileText(JOB_ID, RUN_ID, 'sub dir/a#1.ipynb')
    ).resolves.toBe('{"cells": []}');
    expect(calls[0].url).toBe(url);
  });

  it('previews a schedule: its next times, or the 400 naming the field', async () => {
    const next = ['2026-12-01T03:00:00+01:00', '2026-12-02T03:00:00+01:00'];
    const { api, calls } = fakeServer(call =>
      JSON.parse(call.body!).cron === 'nope'
        ? json(400, {
            message: "'nope' is not a cron expression",
            issues: [
              { pointer: '/cron', message: 'bad', code: 'invalid-schedule' }
            ]
          })
        : json(200, { next })
    );
    await expect(
      api.jobs.schedulePreview({
        cron: '0 3 * * *',
        timezone: 'Europe/Amsterdam'
      })
    ).resolves.toEqual(next);
    expect(calls[0].url).toBe(`${BASE}/jobs/schedule-preview`);
    expect(calls[0].method).toBe('POST');
    const error = await api.jobs
      .schedulePreview({ cron: 'nope' })
      .catch(e => e);
    expect(error).toBeInstanceOf(APIError);
    expect(error.message).toBe("'nope' is not a cron expression");
  });
});
