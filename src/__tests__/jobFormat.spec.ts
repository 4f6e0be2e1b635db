import type { IJob } from '../api';
import {
  canAct,
  describeCron,
  describeSchedule,
  formatBytes,
  formatTime,
  jobStatusLabel,
  pipelineInRun,
  runsInFlight
} from '../model/jobFormat';

function job(overrides: Partial<IJob>): IJob {
  return {
    id: 'j',
    name: 'j',
    pipeline_path: 'p.orchest',
    status: 'STARTED',
    schedule: null,
    ...overrides
  };
}

describe('describeCron', () => {
  it('tells the common forms in words, and shows the others as cron', () => {
    const cases: [string, string][] = [
      ['0 3 * * *', 'every day at 03:00'],
      ['30 9 * * 1', 'every Monday at 09:30'],
      ['0 7 * * 0', 'every Sunday at 07:00'],
      ['0 7 * * 7', 'every Sunday at 07:00'],
      ['15 18 * * 1-5', 'every weekday at 18:15'],
      ['0 6 1 * *', 'on day 1 of every month at 06:00'],
      ['5 * * * *', 'every hour at :05'],
      ['*/15 * * * *', 'every 15 minutes'],
      ['* * * * *', 'every minute'],
      ['0 3 * 1 *', 'cron 0 3 * 1 *'],
      ['0 3,15 * * *', 'cron 0 3,15 * * *'],
      ['@daily', 'cron @daily']
    ];
    for (const [cron, words] of cases) {
      expect([cron, describeCron(cron)]).toEqual([cron, words]);
    }
  });

  it('describes schedules with their time zone', () => {
    expect(describeSchedule(null)).toBe('Once, when made');
    expect(
      describeSchedule({ cron: '0 3 * * *', timezone: 'Europe/Amsterdam' })
    ).toBe('every day at 03:00 (Europe/Amsterdam)');
    expect(describeSchedule({ cron: '0 3 * * *' })).toBe(
      'every day at 03:00 (UTC)'
    );
    expect(describeSchedule({ at: '2030-01-02T03:04:00Z' })).toMatch(
      /^Once, at /
    );
  });
});

describe('job actions', () => {
  it('allows each action only in the states where the server takes it', () => {
    const scheduled = job({
      status: 'STARTED',
      next_run_at: '2030-01-01T00:00:00Z'
    });
    expect(canAct(scheduled, 'pause')).toBe(true);
    expect(canAct(scheduled, 'resume')).toBe(false);
    expect(canAct(scheduled, 'trigger')).toBe(true);
    expect(canAct(scheduled, 'cancel')).toBe(true);
    const paused = job({ status: 'PAUSED', next_run_at: null });
    expect(canAct(paused, 'pause')).toBe(false);
    expect(canAct(paused, 'resume')).toBe(true);
    const running = job({ status: 'STARTED', runs: { queued: 1, STARTED: 2 } });
    expect(runsInFlight(running)).toBe(3);
    expect(canAct(running, 'trigger')).toBe(false);
    expect(canAct(running, 'pause')).toBe(false);
    const done = job({ status: 'SUCCESS', runs: { SUCCESS: 3 } });
    expect(canAct(done, 'trigger')).toBe(true);
    expect(canAct(done, 'cancel')).toBe(false);
    const cancelled = job({ status: 'ABORTED' });
    expect(canAct(cancelled, 'trigger')).toBe(false);
    expect(canAct(cancelled, 'delete')).toBe(true);
  });

  it('names statuses for people', () => {
    expect(jobStatusLabel('STARTED')).toBe('Active');
    expect(jobStatusLabel('ABORTED')).toBe('Cancelled');
  });
});

describe('formatting', () => {
  it('tells disk use in decimal units', () => {
    expect(formatBytes(undefined)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1500)).toBe('1.5 KB');
    expect(formatBytes(123_456_789)).toBe('123 MB');
    expect(formatBytes(2_000_000_000)).toBe('2.0 GB');
  });

  it("finds the pipeline in a run's folder (a copy of the project)", () => {
    expect(
      pipelineInRun({ pipeline_path: 'quickstart.orchest', project: '' })
    ).toBe('quickstart.orchest');
    expect(
      pipelineInRun({ pipeline_path: 'proj/sub/p.orchest', project: 'proj' })
    ).toBe('sub/p.orchest');
    expect(pipelineInRun({ pipeline_path: 'p.orchest', project: '.' })).toBe(
      'p.orchest'
    );
  });
});

describe('formatTime', () => {
  it("shows a time in the user's time zone, with the zone", () => {
    const text = formatTime('2030-01-02T03:04:00+00:00');
    expect(text).toMatch(/2030/);
    expect(text).toMatch(/UTC|GMT|[A-Z]{2,5}/);
    expect(formatTime(null)).toBe('');
    expect(formatTime('not a time')).toBe('not a time');
  });
});
