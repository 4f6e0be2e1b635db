import { APIError } from '../api';
import type { IJob, IJobRequest, JobSchedule } from '../api';
import { JobDraft } from '../model/JobDraft';

const TRAIN = 'a1b2c3d4-e5f6-4789-8abc-def012345604';
const PIPELINE = {
  name: 'quickstart',
  parameters: { dataset: 'synthetic' },
  steps: {
    [TRAIN]: { title: 'Train', parameters: { learning_rate: 0.05 } }
  }
};
const RATE = `step/${TRAIN}/learning_rate`;

const JOB: IJob = {
  id: 'job',
  name: 'n',
  pipeline_path: 'quickstart.orchest',
  status: 'STARTED',
  schedule: null
};

/** Resolves once pending promise callbacks and zero-delay timers ran. */
function settle(): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, 5));
}

function draft(
  options: {
    create?: (request: IJobRequest) => Promise<IJob>;
    preview?: (
      schedule: Exclude<JobSchedule, null>,
      signal: AbortSignal
    ) => Promise<string[]>;
  } = {}
): { draft: JobDraft; sent: IJobRequest[]; previews: unknown[] } {
  const sent: IJobRequest[] = [];
  const previews: unknown[] = [];
  const model = new JobDraft({
    pipelinePath: 'quickstart.orchest',
    pipeline: PIPELINE,
    now: new Date(2026, 10, 22, 14, 3),
    timezone: 'Europe/Amsterdam',
    previewDelay: 0,
    preview:
      options.preview ??
      (async schedule => {
        previews.push(schedule);
        return ['2026-11-23T03:00:00+01:00'];
      }),
    create:
      options.create ??
      (async request => {
        sent.push(request);
        return JOB;
      })
  });
  return { draft: model, sent, previews };
}

describe('JobDraft', () => {
  it('starts with a name, now, the current values and every combination', () => {
    const { draft: d } = draft();
    expect(d.text('name')).toBe('quickstart 2026-11-22 14:03');
    expect(d.scheduleKind).toBe('now');
    expect(d.text('timezone')).toBe('Europe/Amsterdam');
    expect(d.values('pipeline/dataset')).toBe('"synthetic"');
    expect(d.values(RATE)).toBe('0.05');
    expect(d.combinations()).toMatchObject({ count: 1, kept: 1 });
  });

  it('sends the grid and the kept combinations; unchecking leaves one out', async () => {
    const { draft: d, sent } = draft();
    d.setValues(RATE, '0.01, 0.05, 0.1');
    const list = d.combinations();
    expect(list).toMatchObject({ count: 3, kept: 3, tooMany: false });
    d.setKept(list.all[1], false);
    expect(d.combinations().kept).toBe(2);
    await expect(d.submit()).resolves.toBe(JOB);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toEqual({
      name: 'quickstart 2026-11-22 14:03',
      pipeline_path: 'quickstart.orchest',
      schedule: null,
      parameters: {
        pipeline: { dataset: ['synthetic'] },
        steps: { [TRAIN]: { learning_rate: [0.01, 0.05, 0.1] } }
      },
      combinations: [
        {
          pipeline: { dataset: 'synthetic' },
          steps: { [TRAIN]: { learning_rate: 0.01 } }
        },
        {
          pipeline: { dataset: 'synthetic' },
          steps: { [TRAIN]: { learning_rate: 0.1 } }
        }
      ],
      env_variables: {},
      max_retained_runs: null,
      webhook: null
    });
  });

  it('keeps unchecked combinations unchecked while other values change', () => {
    const { draft: d } = draft();
    d.setValues(RATE, '0.01, 0.05');
    d.setKept(d.combinations().all[0], false);
    d.setValues('pipeline/dataset', '"synthetic", "real"');
    const list = d.combinations();
    expect(list.count).toBe(4);
    expect(list.all.filter(c => !d.isKept(c))).toEqual([
      {
        pipeline: { dataset: 'synthetic' },
        steps: { [TRAIN]: { learning_rate: 0.01 } }
      }
    ]);
    d.setAllKept(false);
    expect(d.combinations().kept).toBe(0);
    d.setAllKept(true);
    expect(d.combinations().kept).toBe(4);
  });

  it('sends nothing while values are not JSON, saying so at their field', async () => {
    const { draft: d, sent } = draft();
    d.setValues(RATE, '0.01, fast');
    expect(d.error(`param:${RATE}`)).toMatch(/^Not JSON values/);
    expect(d.gridAxes()).toBeNull();
    await expect(d.submit()).resolves.toBeNull();
    expect(sent).toEqual([]);
    d.setValues(RATE, '0.01, "fast"');
    expect(d.error(`param:${RATE}`)).toBeNull();
  });

  it('checks its own fields on submit: name, time, kept runs, retention, variables', async () => {
    const { draft: d, sent } = draft();
    d.setText('name', '  ');
    d.setScheduleKind('at');
    d.setValues(RATE, '1, 2');
    d.setAllKept(false);
    d.setText('maxRetained', 'many');
    d.addEnvRow();
    d.setEnvRow(0, { name: '', value: 'x' });
    d.setText('webhookSecret', 's');
    expect(d.error('name')).toBeNull(); // not before a first submit
    await expect(d.submit()).resolves.toBeNull();
    expect(sent).toEqual([]);
    expect(d.error('name')).toBe('Give the job a name.');
    expect(d.error('schedule.at')).toBe('Choose a date and time.');
    expect(d.error('combinations')).toMatch(/Keep at least one combination/);
    expect(d.error('max_retained_runs')).toMatch(/whole number/);
    expect(d.error('env:0')).toBe('Give the variable a name.');
    expect(d.error('webhook.url')).toMatch(/Give the URL/);
  });

  it("puts the server's 400 at the field its pointer names, keeping what was typed", async () => {
    let refuse = true;
    const { draft: d } = draft({
      create: async () => {
        if (refuse) {
          throw new APIError('webhook.url must be an http or https URL', {
            status: 400,
            issues: [
              {
                severity: 'error',
                code: 'invalid-request',
                message: 'webhook.url must be an http or https URL',
                pointer: '/webhook/url',
                step_uuid: null
              }
            ]
          });
        }
        return JOB;
      }
    });
    d.setValues(RATE, '0.01, 0.1');
    d.setText('webhookUrl', 'ftp://example.org');
    const changes: number[] = [];
    d.changed.connect(() => changes.push(1));
    await expect(d.submit()).resolves.toBeNull();
    expect(d.submitting).toBe(false);
    expect(d.error('webhook.url')).toBe(
      'webhook.url must be an http or https URL'
    );
    expect(d.serverErrorFields).toEqual(['webhook.url']);
    expect(d.formError).toBeNull();
    // Everything entered is still there.
    expect(d.text('webhookUrl')).toBe('ftp://example.org');
    expect(d.values(RATE)).toBe('0.01, 0.1');
    expect(changes.length).toBeGreaterThan(0);
    // Editing the field clears its error; the next submit goes through.
    d.setText('webhookUrl', 'https://example.org/hook');
    expect(d.error('webhook.url')).toBeNull();
    refuse = false;
    await expect(d.submit()).resolves.toBe(JOB);
  });

  it('places parameter, schedule and variable issues, and shows other failures on top', async () => {
    let error: unknown;
    const { draft: d } = draft({
      create: async () => {
        throw error;
      }
    });
    d.addEnvRow();
    d.setEnvRow(0, { name: 'A', value: '1' });
    d.setScheduleKind('cron');
    const issue = (pointer: string, message: string) => ({
      severity: 'error' as const,
      code: 'x',
      message,
      pointer,
      step_uuid: null
    });
    error = new APIError('several', {
      status: 400,
      issues: [
        issue(`/parameters/steps/${TRAIN}/learning_rate`, 'bad rate'),
        issue('/schedule/timezone', 'bad zone'),
        issue('/env_variables/A', 'bad variable')
      ]
    });
    await d.submit();
    expect(d.error(`param:${RATE}`)).toBe('bad rate');
    expect(d.error('schedule.timezone')).toBe('bad zone');
    expect(d.error('env:0')).toBe('bad variable');
    expect(d.formError).toBe('several');
    error = new APIError('Could not reach the Jupyter server: offline');
    await d.submit();
    expect(d.formError).toBe('Could not reach the Jupyter server: offline');
    expect(d.error('schedule.timezone')).toBeNull();
  });

  it('previews the schedule as it is typed, with the server message when it is bad', async () => {
    const asked: unknown[] = [];
    const { draft: d } = draft({
      preview: async schedule => {
        asked.push(schedule);
        if ('cron' in schedule && schedule.cron === 'nope') {
          throw new APIError("'nope' is not a cron expression", {
            status: 400
          });
        }
        return ['2026-11-23T03:00:00+01:00', '2026-11-24T03:00:00+01:00'];
      }
    });
    d.setScheduleKind('cron');
    expect(d.preview.loading).toBe(true);
    await settle();
    expect(asked).toEqual([
      { cron: '0 3 * * *', timezone: 'Europe/Amsterdam' }
    ]);
    expect(d.preview).toEqual({
      times: ['2026-11-23T03:00:00+01:00', '2026-11-24T03:00:00+01:00'],
      error: null,
      loading: false
    });
    d.setText('cron', 'nope');
    await settle();
    expect(d.preview).toEqual({
      times: [],
      error: "'nope' is not a cron expression",
      loading: false
    });
    // Back to "now": nothing to preview.
    d.setScheduleKind('now');
    expect(d.preview).toEqual({ times: [], error: null, loading: false });
    d.dispose();
  });

  it('drops a preview answer that a newer edit overtook', async () => {
    const answers: ((times: string[]) => void)[] = [];
    const { draft: d } = draft({
      // A server that answers whatever the abort: the answers cross.
      preview: () =>
        new Promise(resolve => {
          answers.push(resolve);
        })
    });
    d.setScheduleKind('cron');
    await settle();
    d.setText('cron', '0 4 * * *');
    await settle();
    expect(answers).toHaveLength(2);
    answers[1](['new']);
    await settle();
    answers[0](['old']);
    await settle();
    expect(d.preview.times).toEqual(['new']);
  });
});
